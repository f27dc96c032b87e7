"""Plan calls and dependsOn: each call resolved to the port it opens, the name the caller dials and
its variable (by format: a URL for http, host:port for grpc and tcp); calls to external targets
too; each dependsOn to a service; the creation-order edges. What cannot resolve is reported here,
located at the call."""

from __future__ import annotations

import difflib

from scc.codes import SCC201, SCC202, SCC203, SCC205, SCC206, SCC207, SCC210, SCC215, SCC216, SCC713, Code, problem
from scc.diagnostics import Diagnostic, Path
from scc.model import App, Call, External, Port, Service
from scc.naming import SCHEMES, Ids, LbIds, around_host, default_format, env_name, external_host_parameter, queue_env
from scc.plan import Endpoint, Route, Variable


def via(app: App, caller: Service, callee: Service, port: str | None = None) -> str | None:
    """Service Connect when both ends use it and the callee publishes (the named port); else the
    callee's DNS discovery name when it has one in a dns namespace (a udp port, say); else None
    (not reachable by name)."""
    sc = caller.service_connect and bool(callee.published)
    if sc and (port is None or any(p.name == port for p in callee.published)):
        return "service-connect"
    if callee.discovery is not None and app.namespace is not None and app.namespace.type == "dns":
        return "dns"
    return "service-connect" if sc else None


def named_port(svc: Service, name: str | None) -> Port | None:
    """The port a `targetPort`, `discovery.port` or call names; None names the service's first port."""
    if name is None:
        return svc.ports[0] if svc.ports else None
    return next((p for p in svc.ports if p.name == name), None)


def variable(call: Call, app_protocol: str, transport: str, port: int, external: bool = False) -> Variable | None:
    fmt = call.format or default_format(app_protocol)
    if fmt == "none":
        return None
    prefix, suffix = around_host(fmt, app_protocol, transport, port, external)
    return Variable(call.env or env_name(call.service, fmt), fmt, prefix, suffix)


def _external(call: Call, ext: External) -> Endpoint:
    host = ext.host or external_host_parameter(ext.name)
    return Endpoint(call, ext.name, None, ext, None, ext.port, "tcp", ext.app_protocol, str(ext.port), host, ext.port,
                    ext.host is None, "external", variable(call, ext.app_protocol, "tcp", ext.port, external=True))


def _endpoint(app: App, caller: Service, callee: Service, call: Call, how: str) -> Endpoint | None:
    if how == "service-connect":
        published = callee.published
        if call.port is None:
            port = published[0] if len(published) == 1 else None
        else:
            port = next((p for p in published if p.name == call.port), None)
        host, host_port = (port.alias_dns, port.alias_port) if port else ("", 0)
    else:
        disc, ns = callee.discovery, app.namespace
        if disc is None or ns is None:
            return None
        port = named_port(callee, call.port if call.port is not None else disc.port)
        host, host_port = (f"{disc.name}.{ns.name}", port.port) if port else ("", 0)
    if port is None:
        return None
    return Endpoint(call, callee.name, callee, None, port, port.port, port.protocol, port.app_protocol, port.name,
                    host, host_port, False, how, variable(call, port.app_protocol, port.protocol, host_port))


def _through_load_balancer(call: Call, routes: tuple[Route, ...]) -> Endpoint | None:
    """A job's call to an exposed service: the first of its routes whose host scc knows (a
    written host or domain, else a created load balancer's DNS name), on the listener port."""
    for r in routes:
        exp, lb = r.exposure, r.load_balancer
        name = exp.host if exp.host and "*" not in exp.host else (exp.domain.name if exp.domain else None)
        if name is None and lb.existing is not None:
            continue
        ids = LbIds(lb.name)
        group = lb.existing.security_group if lb.existing else ids.security_group
        fmt = call.format or default_format(r.port.app_protocol)
        if fmt == "none":
            var = None
        else:
            https = r.listener_protocol == "HTTPS"
            scheme = "https" if https else SCHEMES.get(r.port.app_protocol, "tcp")
            implied = (https and r.listener_port == 443) or (scheme == "http" and r.listener_port == 80)
            # A URL ends with the exposure's path prefix: the load balancer routes only that path here.
            base = exp.path.rstrip("/") if r.application and "*" not in exp.path else ""
            prefix, suffix = ("", "") if fmt == "host" else ("", f":{r.listener_port}") if fmt == "address" else (
                f"{scheme}://", ("" if implied else f":{r.listener_port}") + base)
            var = Variable(call.env or env_name(call.service, fmt), fmt, prefix, suffix)
        return Endpoint(call, r.service.name, r.service, None, r.port, r.listener_port, "tcp", r.port.app_protocol,
                        r.port.name, name or ids.load_balancer, r.listener_port, False, "load-balancer", var,
                        host_ref=None if name else (ids.load_balancer, "DNSName"), via_group=group)
    return None


def _to_queue(call: Call, worker: Service) -> Endpoint:
    """A call to a queue worker: its queue's URL as `<WORKER>_QUEUE_URL`, no port, no network rule."""
    ids = Ids(worker.name)
    var = None if call.format == "none" else Variable(call.env or queue_env(worker.name), "url", "", "")
    return Endpoint(call, worker.name, worker, None, None, 0, "sqs", "sqs", "queue", ids.queue, 0, False, "queue", var,
                    host_ref=(ids.queue, "QueueUrl"))


def endpoints(app: App, svc: Service, routes: dict[str, tuple[Route, ...]] | None = None
              ) -> tuple[list[Endpoint], list[Diagnostic]]:
    """The service's calls resolved, and a diagnostic for each that does not resolve."""
    found: list[Endpoint] = []
    out: list[Diagnostic] = []
    for call in svc.calls:
        callee = app.service(call.service)
        if callee is not None and callee.job:
            out.append(problem(SCC216, f"{call.service!r} is a job: it runs to completion and listens on nothing, "
                               f"so {svc.name!r} cannot call it", call.path,
                               hint="start it with `aws ecs run-task` (its RunTask output) or give it a schedule"))
            continue
        if callee is not None and callee.queue is not None and call.port is None:
            found.append(_to_queue(call, callee))
            continue
        if svc.job and callee is not None and via(app, svc, callee, call.port) is None:
            through = _through_load_balancer(call, (routes or {}).get(callee.name, ()))
            if through is not None:
                found.append(through)
                continue
            out.append(problem(SCC215, f"job {svc.name!r} cannot reach {call.service!r}: tasks started by RunTask "
                               "cannot join Service Connect, and it has no DNS discovery or load balancer "
                               "exposure", call.path, hint=f"give {call.service!r} `discovery` in a dns namespace, "
                               "or expose it on a load balancer (an internal one: `expose: [{loadBalancer: "
                               "internal, port: 8080}]`)"))
            continue
        if call.service == svc.name:
            out.append(problem(SCC205, f"service {svc.name!r} calls itself", call.path,
                               hint="a task reaches its own ports on localhost; remove this call"))
            continue
        if callee is None and (ext := app.external(call.service)) is not None:
            if call.port is not None:
                out.append(problem(SCC207, f"{call.service!r} is an external target with one port, {ext.port}",
                                   (*call.path, "port"), at_key=True, hint="remove `port`"))
                continue
            found.append(_external(call, ext))
            continue
        if callee is None:
            out.append(unknown(SCC201, call.service, app, call.path))
            continue
        how = via(app, svc, callee, call.port)
        if how is None and not svc.service_connect and callee.published:
            out.append(problem(SCC210, f"service {svc.name!r} has role none (no Service Connect proxy) and cannot "
                               f"resolve {call.service!r}, which has no DNS discovery", svc.at("role"),
                               hint=f"use `role: client`, or give {call.service!r} `discovery` in a dns namespace"))
            break  # every further call of this service fails the same way: say it once
        if how is None:
            out.append(problem(SCC203, f"{call.service!r} publishes nothing through Service Connect "
                               f"({_why_unpublished(callee)}), so {svc.name!r} cannot call it", call.path,
                               hint=_publish_hint(callee)))
            continue
        if how == "dns" and callee.discovery is not None and callee.discovery.record == "SRV":
            out.append(problem(SCC713, f"{call.service!r} has only an SRV record, which a URL cannot resolve",
                               call.path, hint=f"give {call.service!r} `discovery: {{record: A}}`, or reach it "
                               "through Service Connect"))
            continue
        reachable = callee.published if how == "service-connect" else callee.ports
        names = ", ".join(p.name for p in reachable)
        if call.port is not None and not any(p.name == call.port for p in reachable):
            close = difflib.get_close_matches(call.port, [p.name for p in reachable], n=1)
            verb = "publishes" if how == "service-connect" else "has"
            out.append(problem(SCC207, f"{call.service!r} {verb} no port named {call.port!r} "
                               f"(it {verb}: {names})", (*call.path, "port"),
                               hint=f"did you mean {close[0]!r}?" if close else f"use one of: {names}"))
            continue
        endpoint = _endpoint(app, svc, callee, call, how)
        if endpoint is None:
            out.append(problem(SCC206, f"{call.service!r} publishes several ports ({names}); say which one",
                               call.path, hint=f"write {{service: {call.service}, port: <one of {names}>}}"))
            continue
        found.append(endpoint)
    return found, out


def _why_unpublished(callee: Service) -> str:
    if callee.role != "client-server":
        return f"role {callee.role}"
    if callee.ports and all(p.protocol == "udp" for p in callee.ports):
        return "its ports are udp, which Service Connect does not carry"
    return "no port" if not callee.ports else "every port has publish: false"


def _publish_hint(callee: Service) -> str:
    if callee.ports and all(p.protocol == "udp" for p in callee.ports):
        return f"give {callee.name!r} DNS `discovery` in a dns namespace: callers reach udp ports by DNS"
    if callee.role == "client-server" and callee.ports:
        return f"remove `publish: false` from the port of {callee.name!r} that callers use"
    if callee.ports:
        return (f"give {callee.name!r} role client-server (or remove its role: the default with ports), "
                "or DNS `discovery` in a dns namespace")
    return f"give {callee.name!r} a port with appProtocol, so it publishes an endpoint"


def depends_on(app: App, svc: Service) -> list[Diagnostic]:
    out = []
    for i, name in enumerate(svc.depends_on):
        if name == svc.name:
            out.append(problem(SCC205, f"service {svc.name!r} depends on itself", svc.at("dependsOn", i)))
        elif app.service(name) is None:
            out.append(unknown(SCC202, name, app, svc.at("dependsOn", i)))
    return out


def unknown(code: Code, name: str, app: App, path: Path) -> Diagnostic:
    names = [s.name for s in app.services]
    if code is SCC201:
        names += [e.name for e in app.externals]
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    where = "services or external" if code is SCC201 and app.externals else "services"
    hint = f"did you mean {close[0]!r}?" if close else f"defined {where}: " + ", ".join(names)
    verb = "calls" if code is SCC201 else "depends on"
    return problem(code, f"{verb} {name!r}, which is not defined in {where}", path, hint=hint)


def _sends(app: App, call: Call) -> bool:
    """A call to a queue worker sends messages: the queue takes them whenever the worker starts."""
    callee = app.service(call.service)
    return callee is not None and callee.queue is not None and call.port is None


def ordering(app: App) -> dict[str, tuple[tuple[str, Path], ...]]:
    """Service -> services it must be created after (ordered calls, dependsOn), with the spec path
    of each reason; unknown names and self-references are reported above and left out."""
    known = {s.name for s in app.services}
    edges: dict[str, tuple[tuple[str, Path], ...]] = {}
    for svc in app.services:
        out: list[tuple[str, Path]] = []
        for call in svc.calls:
            if call.ordered and call.service in known and call.service != svc.name and not _sends(app, call):
                out.append((call.service, call.path))
        for i, name in enumerate(svc.depends_on):
            if name in known and name != svc.name:
                out.append((name, svc.at("dependsOn", i)))
        edges[svc.name] = tuple(out)
    return edges


def after(app: App, svc: Service) -> tuple[str, ...]:
    """The services this one is created after: its ordered calls, then dependsOn, each once
    (external targets are not in the stack: nothing to wait for)."""
    called = [c.service for c in svc.calls if c.ordered and app.external(c.service) is None and not _sends(app, c)]
    return tuple(dict.fromkeys(called + list(svc.depends_on)))
