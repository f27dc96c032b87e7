"""Compile `public`: one internet-facing Application Load Balancer shared by all public services,
its security group, an HTTP listener (and an HTTPS one when a service uses 443), a target group
and a route (the listener's default action or a listener rule) per service, and the ingress rule
that lets the load balancer reach each service's target port and nothing else."""

from __future__ import annotations

from dataclasses import dataclass

from troposphere import GetAtt, Join, Ref, ec2
from troposphere import elasticloadbalancingv2 as elb

from scc.compile.context import Context
from scc.model import App, Port, Public, Service, named_port
from scc.naming import Ids

# The current TLS 1.3 + 1.2 policy Elastic Load Balancing recommends.
TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"


@dataclass(frozen=True)
class Route:
    """How one public service is reached: its listener, and its rule unless it is the default."""

    service: Service
    public: Public
    port: Port
    listener: str  # logical id
    rule: str | None  # logical id of its listener rule; None: the listener's default action
    priority: int
    source_ips: tuple[str, ...]  # a source-ip condition when narrower than the listener's

    @property
    def attachment(self) -> str:
        """What the ECS service must wait for: its target group is in use only once routed."""
        return self.rule or self.listener


def public_services(app: App) -> list[Service]:
    return [s for s in app.services if s.public is not None]


def listener_id(port: int) -> str:
    return Ids.HTTPS_LISTENER if port == 443 else Ids.HTTP_LISTENER


def _allowed(services: list[Service]) -> tuple[str, ...]:
    cidrs = dict.fromkeys(c for s in services for c in s.public.allow_from)  # type: ignore[union-attr]
    return tuple(cidrs)


def routes(app: App) -> list[Route]:
    """Every public service's route. On each listener the `/` service without host (open to the
    listener's whole audience) is the default action; the others are rules, most specific first
    (host before no host, longer path before shorter), because the load balancer takes the first
    rule that matches."""
    out: list[Route] = []
    for port in (80, 443):
        group = [s for s in public_services(app) if s.public.port == port]  # type: ignore[union-attr]
        audience = _allowed(group)
        default = next((s for s in group if s.public.path == "/" and s.public.host is None  # type: ignore[union-attr]
                        and _allowed([s]) == audience), None)
        ranked = sorted((s for s in group if s is not default),
                        key=lambda s: (s.public.host is None, -len(s.public.path.rstrip("/*")), s.name))  # type: ignore[union-attr]
        for priority, svc in enumerate([default, *ranked] if default else ranked, start=0 if default else 1):
            pub = svc.public
            assert pub is not None
            port_spec = named_port(svc, pub.target_port)
            assert port_spec is not None, "rules accept only public services with a target port"
            narrower = _allowed([svc]) != audience
            out.append(Route(svc, pub, port_spec, listener_id(port), None if svc is default else
                             Ids(svc.name).listener_rule, priority, pub.allow_from if narrower else ()))
    return out


def resources(ctx: Context) -> list[object]:
    app = ctx.app
    all_routes = routes(app)
    if not all_routes:
        return []
    https = any(r.public.port == 443 for r in all_routes)
    ports = (80, 443) if https else (80,)
    out: list[object] = [_security_group(ctx, all_routes, ports), _load_balancer(ctx)]
    for port in ports:
        out += _listener(port, [r for r in all_routes if r.public.port == port], https)
    for route in all_routes:
        out.append(_target_group(ctx, route))
        if route.rule:
            out.append(_rule(route))
        out.append(_ingress(route))
    return out


def _security_group(ctx: Context, all_routes: list[Route], ports: tuple[int, ...]) -> ec2.SecurityGroup:
    audience = {p: _allowed([r.service for r in all_routes if r.public.port == p]) for p in ports}
    ingress = []
    for port in ports:
        # With HTTPS and no HTTP service, port 80 only redirects: open to the HTTPS audience.
        cidrs = audience[port] or audience[443]
        for cidr in cidrs:
            ingress.append(ec2.SecurityGroupRule(IpProtocol="tcp", FromPort=port, ToPort=port, CidrIp=cidr,
                                                 Description=f"{'HTTPS' if port == 443 else 'HTTP'} from {cidr}"))
    return ec2.SecurityGroup(Ids.LB_SECURITY_GROUP, GroupDescription=f"{ctx.app.name} load balancer",
                             VpcId=ctx.vpc, SecurityGroupIngress=ingress)


def _load_balancer(ctx: Context) -> elb.LoadBalancer:
    return elb.LoadBalancer(
        Ids.LOAD_BALANCER,
        Type="application",
        Scheme="internet-facing",
        Subnets=list(ctx.app.network.public_subnets) or Ref(Ids.PUBLIC_SUBNETS_PARAM),
        SecurityGroups=[GetAtt(Ids.LB_SECURITY_GROUP, "GroupId")],
        LoadBalancerAttributes=[
            # Requests with malformed headers are dropped instead of passed to the tasks.
            elb.LoadBalancerAttributes(Key="routing.http.drop_invalid_header_fields.enabled", Value="true"),
        ],
    )


def _listener(port: int, group: list[Route], https: bool) -> list[object]:
    default = next((r for r in group if r.rule is None), None)
    if default is not None:
        action = elb.Action(Type="forward", TargetGroupArn=Ref(Ids(default.service.name).target_group))
    elif port == 80 and https:
        action = elb.Action(Type="redirect", RedirectConfig=elb.RedirectConfig(
            Protocol="HTTPS", Port="443", StatusCode="HTTP_301"))
    else:
        action = elb.Action(Type="fixed-response", FixedResponseConfig=elb.FixedResponseConfig(
            StatusCode="404", ContentType="text/plain", MessageBody="Not Found"))
    listener = elb.Listener(listener_id(port), LoadBalancerArn=Ref(Ids.LOAD_BALANCER), Port=port,
                            Protocol="HTTPS" if port == 443 else "HTTP", DefaultActions=[action])
    out: list[object] = [listener]
    if port == 443:
        certificates = list(dict.fromkeys(r.public.certificate_arn for r in group if r.public.certificate_arn))
        listener.Certificates = [elb.Certificate(CertificateArn=certificates[0])]
        listener.SslPolicy = TLS_POLICY
        if len(certificates) > 1:  # more host names: the listener picks the certificate by SNI
            out.append(elb.ListenerCertificate(Ids.LB_CERTIFICATES, ListenerArn=Ref(listener),
                                               Certificates=[elb.Certificate(CertificateArn=c)
                                                             for c in certificates[1:]]))
    return out


def _target_group(ctx: Context, route: Route) -> elb.TargetGroup:
    pub, port = route.public, route.port
    grpc = port.app_protocol == "grpc"
    group = elb.TargetGroup(
        Ids(route.service.name).target_group,
        TargetType="ip",
        Protocol="HTTP",
        Port=port.port,
        VpcId=ctx.vpc,
        HealthCheckPath=pub.health_path,
        HealthCheckIntervalSeconds=pub.health_interval,
        HealthCheckTimeoutSeconds=pub.health_timeout,
        HealthyThresholdCount=pub.healthy_threshold,
        UnhealthyThresholdCount=pub.unhealthy_threshold,
        Matcher=elb.Matcher(GrpcCode=pub.matcher or "12") if grpc else elb.Matcher(HttpCode=pub.matcher or "200"),
    )
    if grpc:
        group.ProtocolVersion = "GRPC"
    return group


def _rule(route: Route) -> elb.ListenerRule:
    pub = route.public
    path = pub.path if "*" in pub.path else pub.path.rstrip("/")
    patterns = [path] if "*" in path else ([f"{path}", f"{path}/*"] if path else ["/*"])
    conditions = [elb.Condition(Field="path-pattern", PathPatternConfig=elb.PathPatternConfig(Values=patterns))]
    if pub.host:
        conditions.append(elb.Condition(Field="host-header", HostHeaderConfig=elb.HostHeaderConfig(Values=[pub.host])))
    if route.source_ips:
        conditions.append(elb.Condition(Field="source-ip",
                                        SourceIpConfig=elb.SourceIpConfig(Values=list(route.source_ips))))
    assert route.rule is not None
    return elb.ListenerRule(
        route.rule,
        ListenerArn=Ref(route.listener),
        Priority=route.priority,
        Conditions=conditions,
        Actions=[elb.ListenerRuleAction(Type="forward", TargetGroupArn=Ref(Ids(route.service.name).target_group))],
    )


def _ingress(route: Route) -> ec2.SecurityGroupIngress:
    ids = Ids(route.service.name)
    return ec2.SecurityGroupIngress(
        ids.ingress_from_load_balancer(route.port.port),
        GroupId=GetAtt(ids.security_group, "GroupId"),
        SourceSecurityGroupId=GetAtt(Ids.LB_SECURITY_GROUP, "GroupId"),
        IpProtocol="tcp",
        FromPort=route.port.port,
        ToPort=route.port.port,
        Description=f"load balancer to {route.service.name} on {route.port.name}",
    )


def url(route: Route) -> Join:
    scheme = "https" if route.public.port == 443 else "http"
    host = route.public.host or GetAtt(Ids.LOAD_BALANCER, "DNSName")
    return Join("", [f"{scheme}://", host, route.public.path])
