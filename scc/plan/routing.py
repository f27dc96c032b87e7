"""Routing through the shared load balancer, planned from the model alone (no troposphere), so
that rules can judge the plan and compile can build exactly it."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from scc.model import App, Port, Public, Service, named_port

# An Application Load Balancer rule may hold at most five condition values (not adjustable).
MAX_CONDITION_VALUES = 5


@dataclass(frozen=True)
class Route:
    """How one public service is reached: its listener port, and its rule unless it is the
    listener's default action."""

    service: Service
    public: Public
    port: Port
    listener_port: int
    default: bool
    priority: int  # rule priority; 0 for the default action
    source_ips: tuple[str, ...]  # a source-ip condition when narrower than the listener's audience

    @property
    def path_patterns(self) -> list[str]:
        """`/api` matches /api and /api/*; a path with `*` is taken as written; `/` is `/*`."""
        path = self.public.path
        if "*" in path:
            return [path]
        path = path.rstrip("/")
        return [path, f"{path}/*"] if path else ["/*"]

    @property
    def condition_values(self) -> int:
        return len(self.path_patterns) + (1 if self.public.host else 0) + len(self.source_ips)


def audience(cidrs: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """CIDRs as a set, written the same way whatever their order: networks inside another one
    are dropped, neighbours merged (`0.0.0.0/0` and `10.0.0.0/8` are just `0.0.0.0/0`)."""
    networks = [ipaddress.ip_network(c, strict=False) for c in cidrs]
    return tuple(str(n) for n in ipaddress.collapse_addresses(networks))


def public_services(app: App) -> list[Service]:
    return [s for s in app.services if s.public is not None]


def listener_ports(app: App) -> tuple[int, ...]:
    """Port 80 always (it redirects when it serves nothing itself), 443 when a service uses it."""
    return (80, 443) if any(s.public.port == 443 for s in public_services(app)) else (80,)  # type: ignore[union-attr]


def listener_audience(app: App, port: int) -> tuple[str, ...]:
    """Who may connect to a listener: its services' allowFrom; port 80 also serves the HTTPS
    audience when it redirects them."""
    cidrs = [c for s in public_services(app) if s.public.port == port for c in s.public.allow_from]  # type: ignore[union-attr]
    if port == 80 and 443 in listener_ports(app):
        cidrs += listener_audience(app, 443)
    return audience(cidrs)


def _rank(svc: Service) -> tuple[bool, bool, int, str]:
    # The load balancer takes the first matching rule: exact hosts, then wildcard hosts, then
    # no host; within each, longer paths first.
    pub = svc.public
    assert pub is not None
    return (pub.host is None, bool(pub.host and "*" in pub.host), -len(pub.path.rstrip("/*")), svc.name)


def routes(app: App) -> list[Route]:
    """Every public service's route, in priority order per listener (80, then 443). On each
    listener the `/` service without host that is open to the listener's whole audience is the
    default action; the others are rules."""
    out: list[Route] = []
    for port in (80, 443):
        group = [s for s in public_services(app) if s.public.port == port]  # type: ignore[union-attr]
        whole = audience([c for s in group for c in s.public.allow_from])  # type: ignore[union-attr]
        default = next((s for s in group if s.public.path == "/" and s.public.host is None  # type: ignore[union-attr]
                        and audience(s.public.allow_from) == whole), None)  # type: ignore[union-attr]
        ranked = sorted((s for s in group if s is not default), key=_rank)
        planned = [(default, 0, ())] if default is not None else []
        for priority, svc in enumerate(ranked, start=1):
            own = audience(svc.public.allow_from)  # type: ignore[union-attr]
            planned.append((svc, priority, own if own != whole else ()))
        for svc, priority, source_ips in planned:
            target = named_port(svc, svc.public.target_port)  # type: ignore[union-attr]
            if target is not None:  # without one, rules report SCC704/SCC705 and nothing is built
                out.append(Route(svc, svc.public, target, port, svc is default, priority, source_ips))  # type: ignore[arg-type]
    return out


def certificates(app: App) -> list[str]:
    """The HTTPS listener's certificates in spec order: the first is its default, the others
    are chosen by SNI."""
    return list(dict.fromkeys(s.public.certificate_arn for s in public_services(app)  # type: ignore[union-attr]
                              if s.public.port == 443 and s.public.certificate_arn))  # type: ignore[union-attr]
