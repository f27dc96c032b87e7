"""Rules on `scaling`: ranges and schedule expressions (the plan resolves each target's metric)."""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache

from scc.codes import SCC601, SCC602, SCC606, SCC607, SCC608, problem
from scc.diagnostics import Diagnostic
from scc.model import Scaling, ScheduledScaling, Service
from scc.plan import Plan

MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
# (name, low, high, names, extra single tokens allowed)
CronField = tuple[str, int, int, tuple[str, ...], tuple[str, ...]]
CRON_FIELDS: tuple[CronField, ...] = (
    ("minutes", 0, 59, (), ()),
    ("hours", 0, 23, (), ()),
    ("day-of-month", 1, 31, (), ("?", "L", "LW")),
    ("month", 1, 12, MONTHS, ()),
    ("day-of-week", 1, 7, DAYS, ("?", "L")),
    ("year", 1970, 2199, (), ()),
)


def check(plan: Plan) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for svc in plan.app.services:
        if svc.scaling is not None:
            out += _ranges(svc, svc.scaling) + _schedule(svc)
        if svc.run is not None and svc.run.schedule is not None:
            out += _when(svc.run.schedule)  # a job's schedule: the same expressions (EventBridge Scheduler's)
    return out


def _ranges(svc: Service, sc: Scaling) -> list[Diagnostic]:
    out = []
    if sc.min > sc.max:
        out.append(problem(SCC601, f"scaling min {sc.min} is greater than max {sc.max}", svc.at("scaling", "min")))
    elif svc.desired_count_given and not sc.min <= svc.desired_count <= sc.max:
        out.append(problem(SCC602, f"desiredCount {svc.desired_count} is outside scaling [{sc.min}, {sc.max}]",
                           svc.at("desiredCount"),
                           hint="with scaling the count is managed between min and max: remove desiredCount"))
    return out


def _schedule(svc: Service) -> list[Diagnostic]:
    out = []
    names: set[str] = set()
    for item in svc.scaling.schedule if svc.scaling else ():
        if item.name in names:
            out.append(problem(SCC607, f"schedule name {item.name!r} is used twice", (*item.path, "name")))
        names.add(item.name)
        out += _when(item)
        if item.min is not None and item.max is not None and item.min > item.max:
            out.append(problem(SCC601, f"schedule {item.name!r} sets min {item.min} above max {item.max}",
                               (*item.path, "min")))
    return out


def _when(item: ScheduledScaling) -> list[Diagnostic]:
    out = []
    error = {"cron": cron_error, "rate": rate_error, "at": at_error}[item.kind](item.expression)
    if error:
        hint = ("" if item.expression.isascii() else
                "AWS reads ASCII only: write the digits 0-9 and plain spaces (no superscript, full-width or "
                "Arabic-Indic digits)")
        out.append(problem(SCC606, f"{item.kind} {item.expression!r}: {error}", (*item.path, item.kind), hint=hint))
    if item.timezone is not None and item.timezone not in _zones():
        out.append(problem(SCC608, f"{item.timezone!r} is not a time zone", (*item.path, "timezone"),
                           hint="use an IANA name such as UTC, Europe/Paris or Asia/Tokyo"))
    return out


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    from zoneinfo import available_timezones

    return frozenset(available_timezones())


def _number(token: str) -> bool:
    """ASCII digits only: str.isdigit() also takes superscript, Arabic-Indic and full-width
    digits, which int() reads (or crashes on) but AWS refuses."""
    return token.isascii() and token.isdigit()


def _cron_value(token: str, low: int, high: int, names: tuple[str, ...]) -> bool:
    if token.upper() in names:
        return True
    return _number(token) and low <= int(token) <= high


def _cron_field_error(text: str, field: CronField) -> str:
    name, low, high, names, singles = field
    if text in singles or text == "*":
        return ""
    for item in text.split(","):
        base, _, step = item.partition("/")
        if step and not (_number(step) and int(step) > 0):
            return f"{name} step {step!r} is not a positive number"
        if name == "day-of-week" and "#" in base:
            day, _, nth = base.partition("#")
            if _cron_value(day, low, high, names) and nth in {"1", "2", "3", "4", "5"}:
                continue
            return f"{name} {item!r} is not <day>#<1-5>"
        if name == "day-of-month" and base.endswith("W") and _cron_value(base[:-1], low, high, names):
            continue
        if name == "day-of-week" and base.endswith("L") and _cron_value(base[:-1], low, high, names):
            continue
        lo, dash, hi = base.partition("-")
        if base == "*" and step:
            continue
        if not _cron_value(lo, low, high, names) or (dash and not _cron_value(hi, low, high, names)):
            allowed = f"{low}-{high}" + (f" or {names[0]}-{names[-1]}" if names else "")
            return f"{name} {item!r} is outside {allowed}"
    return ""


_NOT_ASCII = "uses characters other than ASCII letters, digits, spaces and , - * ? / # (AWS reads no others)"


def cron_error(expression: str) -> str:
    if not (expression.isascii() and expression.isprintable()):
        return _NOT_ASCII
    fields = expression.split(" ")
    fields = [f for f in fields if f]
    if len(fields) != 6:
        return (f"has {len(fields)} fields; AWS cron expressions (Auto Scaling, Scheduler) have 6: "
                "minutes hours day-of-month month day-of-week year")
    for text, field in zip(fields, CRON_FIELDS, strict=True):
        error = _cron_field_error(text, field)
        if error:
            return error
    if (fields[2] == "?") == (fields[4] == "?"):
        return "exactly one of day-of-month and day-of-week must be `?`"
    return ""


def rate_error(expression: str) -> str:
    match = re.fullmatch(r"([0-9]+) (minute|minutes|hour|hours|day|days)", expression)
    if not match:
        return "expected `<number> minute(s)|hour(s)|day(s)`, e.g. `6 hours`"
    value, unit = int(match.group(1)), match.group(2)
    if value < 1:
        return "the number must be at least 1"
    if (value == 1) != (not unit.endswith("s")):
        return f"write `{value} {unit.rstrip('s') if value == 1 else unit + 's'}`"
    return ""


def at_error(expression: str) -> str:
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}", expression):
        return "expected a date and time `yyyy-mm-ddThh:mm:ss`, e.g. `2026-12-24T18:00:00`"
    try:
        datetime.strptime(expression, "%Y-%m-%dT%H:%M:%S")
    except ValueError:
        return "expected a date and time `yyyy-mm-ddThh:mm:ss`, e.g. `2026-12-24T18:00:00`"
    return ""
