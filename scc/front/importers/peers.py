"""Wire imported Compose services to each other: a value that names a peer (`redis:6379`,
`http://api:8080`, `mongodb://user-db:27017/x`) and `depends_on` become `calls`, so each caller
gets the same variable and may reach the same port; then ports are named, published ports that
speak HTTP are exposed on the public load balancer, and each draft's fields are written."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from scc.diagnostics import Path
from scc.front.importers.common import image_port, image_repository
from scc.front.importers.compose_service import PortDraft, ServiceDraft, host_flag, http_guess
from scc.front.importers.report import Report
from scc.front.spec import Source

# The port a URL's scheme implies, when it names none.
SCHEME_PORTS = {"http": 80, "https": 443, "ws": 80, "postgres": 5432, "postgresql": 5432, "mysql": 3306,
                "mongodb": 27017, "redis": 6379, "amqp": 5672, "nats": 4222, "memcached": 11211}
# Variable names that hold a host name alone (`REDIS_HOST=redis`), not any word.
_HOST_VAR = re.compile(r"(HOST|HOSTNAME|SERVER|ADDR|ADDRESS|ENDPOINT|URL|URI|SERVICE)$", re.IGNORECASE)
_WHOLE = re.compile(r"(?:(?P<scheme>[a-z][a-z0-9+.-]*)://)?(?P<host>[A-Za-z0-9_.-]+)(?::(?P<port>\d{1,5}))?"
                    r"(?P<rest>/)?")


@dataclass
class CallDraft:
    callee: ServiceDraft
    port: PortDraft
    env: str | None  # the caller's variable scc sets, None for format none
    fmt: str  # url | address | host | none
    note: str
    ordered: bool = True


def wire(src: Source, drafts: list[ServiceDraft], report: Report) -> None:
    by_name: dict[str, ServiceDraft] = {}
    for d in drafts:
        for n in d.names:
            by_name.setdefault(n, d)
    calls: dict[str, list[CallDraft]] = {d.cname: [] for d in drafts}
    for d in drafts:
        _references(src, d, by_name, calls[d.cname], report)
    for d in drafts:
        _depends(src, d, by_name, calls[d.cname], report)
    _unorder_cycles(drafts, calls)
    for d in drafts:
        for p in d.ports:
            http_guess(p)
            if len(d.ports) > 1 and p.name is None:  # several ports need names (calls name them)
                p.name = str(p.port) if p.protocol == "tcp" else f"{p.port}-{p.protocol}"
    for d in drafts:
        _write(src, d, calls[d.cname], report)


def _callee_port(callee: ServiceDraft, number: int | None, scheme: str | None, why: str) -> PortDraft | None:
    """The port of `callee` a reference dials; a port Compose does not name is added (said so)."""
    if number is not None:
        found = callee.port(number)
        if found is None:
            found = PortDraft(number, added=why)
            callee.ports.append(found)
        return found
    tcp = [p for p in callee.ports if p.protocol == "tcp"]
    default = SCHEME_PORTS.get(scheme or "")
    if len(tcp) == 1:
        return tcp[0]
    if tcp:
        return next((p for p in tcp if p.port == default), tcp[0])
    guessed = image_port(callee.image)
    if guessed is not None:
        found = PortDraft(guessed, added=f"the port {image_repository(callee.image)} images listen on; {why}")
    elif default is not None:
        found = PortDraft(default, added=f"{scheme}'s port; {why}")
    else:
        return None
    callee.ports.append(found)
    return found


def _add(src: Source, caller: ServiceDraft, calls: list[CallDraft], callee: ServiceDraft, number: int | None,
         scheme: str | None, env: str | None, fmt: str, note: str, where: Path, report: Report) -> bool:
    """Add a call; False when it cannot be one (the variable then stays as Compose wrote it)."""
    if callee.job or caller.job:
        who = callee.cname if callee.job else caller.cname
        report.needs(src, where, f"{caller.cname} reaches {callee.cname}, and {who} is a job: a job reaches "
                     "services only by DNS discovery or a load balancer, not Service Connect",
                     hint="give the service `discovery` or `expose`, then add the call")
        return False
    port = _callee_port(callee, number, scheme, f"{caller.cname} dials it")
    if port is None:
        report.needs(src, where, f"{caller.cname} reaches {callee.cname}, whose port Compose does not say: "
                     "no call made", hint=f"add the port under services.{callee.name}.ports, then a call to it")
        return False
    if port.protocol != "tcp":
        return False
    if fmt == "url" and port.app_protocol is None:
        port.app_protocol, port.why_http = "http", f"{caller.cname} calls it with an http:// URL"
    same = next((c for c in calls if c.callee is callee and c.port is port), None)
    if same is not None:
        if same.fmt == "none" and fmt != "none":
            same.env, same.fmt, same.note = env, fmt, note
            return True
        return fmt == "none"
    calls.append(CallDraft(callee, port, env, fmt, note))
    return True


def _references(src: Source, d: ServiceDraft, by_name: dict[str, ServiceDraft], calls: list[CallDraft],
                report: Report) -> None:
    names = sorted((n for n, s in by_name.items() if s is not d), key=len, reverse=True)
    if not names:
        return
    alternatives = "|".join(map(re.escape, names))
    embedded = re.compile(rf"(?:(?P<scheme>[a-z][a-z0-9+.-]*)://(?:[^@/\s]*@)?|@)(?P<host>{alternatives})"
                          rf"(?::(?P<port>\d{{1,5}}))?(?![\w.-])|(?<![\w.-])(?P<h2>{alternatives}):(?P<p2>\d{{1,5}})"
                          r"(?![\w.-])")
    for key, value in list(d.environment.items()):
        where = d.env_paths[key]
        m = _WHOLE.fullmatch(value)
        if m and m.group("host") in by_name and by_name[m.group("host")] is not d:
            scheme, port = m.group("scheme"), int(m.group("port")) if m.group("port") else None
            fmt = ("address" if port is not None else "host" if _HOST_VAR.search(key) else None) if not scheme \
                else "url" if scheme == "http" else None
            if fmt is not None and not (fmt != "url" and m.group("rest")):
                callee = by_name[m.group("host")]
                note = f"Compose sets {key}={value}"
                if _add(src, d, calls, callee, port if port is not None or fmt != "url" else 80, scheme, key, fmt,
                        note, where, report):
                    del d.environment[key]
                continue
        for hit in embedded.finditer(value):
            host = hit.group("host") or hit.group("h2")
            port_text = hit.group("port") or hit.group("p2")
            _add(src, d, calls, by_name[host], int(port_text) if port_text else None, hit.group("scheme"), None,
                 "none", f"{key} names {host} inside a longer value, kept as Compose wrote it", where, report)
    for word, previous, where in d.args:
        m = _WHOLE.fullmatch(word)
        if not m or m.group("host") not in by_name or by_name[m.group("host")] is d:
            continue
        if m.group("port") or m.group("scheme") or host_flag(previous):
            _add(src, d, calls, by_name[m.group("host")], int(m.group("port")) if m.group("port") else None,
                 m.group("scheme"), None, "none", f"its command names {m.group('host')}", where, report)


def _depends(src: Source, d: ServiceDraft, by_name: dict[str, ServiceDraft], calls: list[CallDraft],
             report: Report) -> None:
    for target, condition, where in d.depends:
        callee = by_name.get(target)
        if callee is None or callee is d:
            continue
        if condition == "service_completed_successfully":
            report.dropped(src, where, f"depends_on {target}: service_completed_successfully: scc has no order "
                           "between a service and a job", hint="make the step an init container of this service "
                           "(`containers` with `essential: false` and `waitFor: {step: success}`)")
            continue
        tcp = [p for p in callee.ports if p.protocol == "tcp"]
        if not tcp and not (callee.job or d.job):
            guessed = _callee_port(callee, None, None, f"{d.cname} depends on it")
            tcp = [guessed] if guessed is not None else []
        if callee.job or d.job or not tcp:
            if callee.job or d.job:
                report.dropped(src, where, f"depends_on {target}: jobs run on demand, in no order with services")
            else:
                d.fields.setdefault("dependsOn", []).append(callee.name)
                d.note(("dependsOn",), "depends_on in Compose")
            continue
        why = ("depends_on (healthy) in Compose: created first, and stable only with healthy tasks"
               if condition == "service_healthy" else "depends_on in Compose")
        for port in tcp:
            if not any(c.callee is callee and c.port is port for c in calls):
                calls.append(CallDraft(callee, port, None, "none",
                                       f"{why}; assumed to connect, as Compose lets it"))


def _unorder_cycles(drafts: list[ServiceDraft], calls: dict[str, list[CallDraft]]) -> None:
    """An ordered call may not close a cycle: the one that would is `ordered: false` (said so)."""
    edges: dict[str, set[str]] = {d.cname: set() for d in drafts}

    def reaches(a: str, b: str) -> bool:
        seen, todo = set(), [a]
        while todo:
            n = todo.pop()
            if n == b:
                return True
            if n not in seen:
                seen.add(n)
                todo += edges[n]
        return False

    for d in drafts:
        for c in calls[d.cname]:
            if c.callee.cname in edges[d.cname]:
                continue
            if reaches(c.callee.cname, d.cname):
                c.ordered = False
                c.note += f"; not ordered: {c.callee.cname} reaches {d.cname} too"
            else:
                edges[d.cname].add(c.callee.cname)


def _write(src: Source, d: ServiceDraft, calls: list[CallDraft], report: Report) -> None:
    tcp = [p for p in d.ports if p.protocol == "tcp"]
    if d.job:
        for p in d.ports:
            report.dropped(src, d.path, f"port {p.port}: a job listens on nothing")
        d.ports = []
    ports: list[dict[str, Any]] = []
    for i, p in enumerate(d.ports):
        entry: dict[str, Any] = {}
        if p.name is not None:
            entry["name"] = p.name
        entry["port"] = p.port
        if p.protocol != "tcp":
            entry["protocol"] = p.protocol
        if p.app_protocol:
            entry["appProtocol"] = p.app_protocol
            if not p.why_http.startswith("Compose's"):
                d.note(("ports", i, "appProtocol"), p.why_http)
        if p.added:
            d.note(("ports", i, "port"), f"not in the Compose file: {p.added}")
        if p.protocol == "tcp" and tcp and p is not tcp[0]:
            entry["alias"] = {"dnsName": d.name, "port": p.port}
            d.note(("ports", i, "alias"), "peers reach every port at the service's name, as in Compose")
        ports.append(entry)
    if ports:
        d.fields["ports"] = ports
    _expose(src, d, report)
    if calls:
        out = []
        for i, c in enumerate(calls):
            entry = {"service": c.callee.name}
            if len([p for p in c.callee.ports if p.protocol == "tcp"]) > 1:
                entry["port"] = str(c.port.name)
            if c.env is not None:
                entry["env"] = c.env
            entry["format"] = c.fmt
            if not c.ordered:
                entry["ordered"] = False
            out.append(entry)
            d.note(("calls", i), c.note)
        d.fields["calls"] = out
    if d.environment:
        d.fields["environment"] = dict(d.environment)


def _expose(src: Source, d: ServiceDraft, report: Report) -> None:
    several = len(d.ports) > 1
    exposures: list[tuple[dict[str, Any], str]] = []
    for p in d.ports:
        for host, where in p.published:
            if p.app_protocol not in ("http", "http2"):
                report.dropped(src, where, f"port {p.port}/{p.protocol} is published on host port {host}: not "
                               "exposed (the public load balancer takes HTTP ports)",
                               hint="add an `expose` entry on a network load balancer if it must be reached from "
                               "outside the VPC")
                continue
            if host == 443:
                report.needs(src, where, f"port {p.port} is published on 443: HTTPS needs a certificate; exposed "
                             "on 80", hint="add `certificate: {domain, zone}` and `port: 443` to the exposure")
                host = 80
            entry: dict[str, Any] = {"port": host}
            if several:
                entry["targetPort"] = p.name
            exposures.append((entry, f"published on host port {host} in Compose: a listener of the public load "
                                     "balancer"))
    if len(exposures) == 1:
        d.fields["public"] = exposures[0][0]
        d.note(("public",), exposures[0][1])
    elif exposures:
        d.fields["expose"] = [e for e, _ in exposures]
        for i, (_, why) in enumerate(exposures):
            d.note(("expose", i), why)
