"""Family load balancer, as scc/plan/routing.py plans it: per load balancer scc creates, its
security group, the load balancer and its listeners (with certificates); per exposure a target
group, a route (the listener's default action or a rule), the certificate and DNS record it asks
for, and the ingress rules that let that load balancer reach the service's target port (and its
health check port) and nothing else. On an existing load balancer only the exposures' parts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from troposphere import (
    AWSHelperFn,
    GetAtt,
    Join,
    Output,
    Parameter,
    Ref,
    Select,
    Split,
    certificatemanager,
    ec2,
    route53,
    wafv2,
)
from troposphere import elasticloadbalancingv2 as elb

from scc.families import refs
from scc.families.family import Emitted, Family
from scc.naming import Ids, LbIds
from scc.plan import CertificateRef, Listener, LoadBalancerPlan, Plan, Route

# The current TLS 1.3 + 1.2 policy Elastic Load Balancing recommends.
TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
# ECS waits this long for in-flight requests before stopping a task that leaves the target
# group; the AWS default of 300 s makes every deployment five minutes slower.
DEREGISTRATION_DELAY = "60"
# The path Application Load Balancers use for gRPC health checks by default.
GRPC_HEALTH_PATH = "/AWS.ALB/healthcheck"
# URL schemes by listener protocol; the port is left out where it is the scheme's own.
SCHEMES = {"HTTP": "http", "HTTPS": "https", "TCP": "tcp", "UDP": "udp", "TLS": "tls", "TCP_UDP": "tcp"}
IMPLIED_PORTS = {("HTTP", 80), ("HTTPS", 443)}


def attachment(route: Route) -> str:
    """What the ECS service must wait for: its target group is usable only once routed."""
    if route.default:
        return LbIds(route.load_balancer.name).listener(route.listener_port, route.listener_protocol)
    return Ids(route.service.name).exposed(route.suffix, "ListenerRule")


def target_group(route: Route) -> str:
    return Ids(route.service.name).exposed(route.suffix, "TargetGroup")


def alternate(route: Route) -> str:
    """The second target group of a service whose deployments shift traffic."""
    return Ids(route.service.name).exposed(route.suffix, "AlternateTargetGroup")


def production(route: Route) -> str:
    """What ECS shifts traffic on (AdvancedConfiguration.ProductionListenerRule): the route's rule
    on an application load balancer, the listener itself on a network one."""
    return attachment(route)


def _forward(route: Route) -> dict[str, Any]:
    """Forward to the route's target group; with a traffic-shifting deployment, to both of its
    groups, all traffic on the first (ECS moves the weights during a deployment)."""
    if not route.service.deployment.shifts_traffic:
        return {"Type": "forward", "TargetGroupArn": Ref(target_group(route))}
    return {"Type": "forward", "ForwardConfig": elb.ForwardConfig(TargetGroups=[
        elb.TargetGroupTuple(TargetGroupArn=Ref(target_group(route)), Weight=100),
        elb.TargetGroupTuple(TargetGroupArn=Ref(alternate(route)), Weight=0)])}


def full_name(route: Route) -> AWSHelperFn:
    """The load balancer's `app/<name>/<id>`, the dimension its metrics carry; an existing one's
    is read from its listener ARN (`...:listener/app/<name>/<id>/<listener id>`)."""
    lb = route.load_balancer
    if lb.existing is None:
        return GetAtt(LbIds(lb.name).load_balancer, "LoadBalancerFullName")
    arn = lb.existing.listener(route.listener_port)
    parts = Split("/", str(arn))
    return Join("/", [Select(1, parts), Select(2, parts), Select(3, parts)])


def _where(route: Route) -> tuple[str | int, ...]:
    return route.exposure.spec_path


def _app(plan: Plan) -> Iterator[Emitted]:
    app = plan.app
    created = [lbp for lbp in plan.load_balancers if lbp.load_balancer.existing is None]
    public = any(lbp.load_balancer.internet_facing and not lbp.load_balancer.subnets for lbp in created)
    if public and not app.network.public_subnets:
        yield Emitted(Parameter(Ids.PUBLIC_SUBNETS_PARAM, Type="List<AWS::EC2::Subnet::Id>",
                                Description="Public subnets of the internet-facing load balancer (two or more AZs)"),
                      ("network",), None)
    opened: set[str] = set()
    for lbp in plan.load_balancers:
        if lbp.load_balancer.existing is None:
            yield from _load_balancer(plan, lbp)
        else:
            yield from _existing_certificates(lbp)
        for route in lbp.routes:
            yield from _route(plan, route, opened)


def _subnets(plan: Plan, lbp: LoadBalancerPlan) -> list[str] | AWSHelperFn:
    lb, net = lbp.load_balancer, plan.app.network
    if lb.subnets:
        return list(lb.subnets)
    if lb.internet_facing:
        return list(net.public_subnets) or Ref(Ids.PUBLIC_SUBNETS_PARAM)
    return refs.subnets(plan.app)


def _load_balancer(plan: Plan, lbp: LoadBalancerPlan) -> Iterator[Emitted]:
    app, lb = plan.app, lbp.load_balancer
    ids, where = LbIds(lb.name), lb.spec_path
    ingress = [ec2.SecurityGroupRule(IpProtocol=proto, FromPort=listener.port, ToPort=listener.port, CidrIp=cidr,
                                     Description=f"{listener.protocol} from {cidr}")
               for listener in lbp.listeners for proto in listener.ip_protocols for cidr in listener.audience]
    kind = "load balancer" if lb.name == "public" else f"{lb.name} load balancer"
    yield Emitted(ec2.SecurityGroup(ids.security_group, GroupDescription=f"{app.name} {kind}",
                                    VpcId=refs.vpc(app), SecurityGroupIngress=ingress), where, None)
    attributes = []
    if lb.application:
        attributes += [
            # Requests with malformed headers are dropped instead of passed to the tasks, and
            # requests that could smuggle another one (HTTP desync) are refused.
            elb.LoadBalancerAttributes(Key="routing.http.drop_invalid_header_fields.enabled", Value="true"),
            elb.LoadBalancerAttributes(Key="routing.http.desync_mitigation_mode", Value="strictest"),
        ]
        if lb.idle_timeout is not None:
            attributes.append(elb.LoadBalancerAttributes(Key="idle_timeout.timeout_seconds",
                                                         Value=str(lb.idle_timeout)))
    if lb.access_logs:
        bucket, prefix = lb.access_logs
        attributes += [elb.LoadBalancerAttributes(Key="access_logs.s3.enabled", Value="true"),
                       elb.LoadBalancerAttributes(Key="access_logs.s3.bucket", Value=bucket)]
        if prefix:
            attributes.append(elb.LoadBalancerAttributes(Key="access_logs.s3.prefix", Value=prefix))
    resource = elb.LoadBalancer(
        ids.load_balancer,
        Type=lb.type,
        Scheme=lb.scheme,
        Subnets=_subnets(plan, lbp),
        # A network load balancer gets its security group now or never: one cannot be added later.
        SecurityGroups=[GetAtt(ids.security_group, "GroupId")],
    )
    if attributes:
        resource.LoadBalancerAttributes = attributes
    yield Emitted(resource, where, None)
    if lb.web_acl:
        yield Emitted(wafv2.WebACLAssociation(ids.web_acl, ResourceArn=Ref(ids.load_balancer),
                                              WebACLArn=lb.web_acl), where, None)
    for listener in lbp.listeners:
        yield from _listener(listener)
    label = "the shared load balancer" if lb.name == "public" else f"load balancer {lb.name}"
    yield Emitted(Output(ids.dns_output, Description=f"DNS name of {label}",
                         Value=GetAtt(ids.load_balancer, "DNSName")), where, None)


def _certificate(ref: CertificateRef) -> str | AWSHelperFn:
    return ref.arn if ref.arn else Ref(str(ref.logical_id))


def _existing_certificates(lbp: LoadBalancerPlan) -> Iterator[Emitted]:
    """Certificates for the exposures' hosts, added to an existing listener by SNI."""
    ids = LbIds(lbp.load_balancer.name)
    for listener in lbp.listeners:
        for n, ref in enumerate(listener.certificates, start=1):
            yield Emitted(elb.ListenerCertificate(ids.certificate(listener.port, n), ListenerArn=listener.arn,
                                                  Certificates=[elb.Certificate(CertificateArn=_certificate(ref))]),
                          lbp.load_balancer.spec_path, None)


def _listener(listener: Listener) -> Iterator[Emitted]:
    lb = listener.load_balancer
    ids = LbIds(lb.name)
    default = listener.default
    if default is not None:
        action = elb.Action(**_forward(default))
    elif listener.redirect:
        action = elb.Action(Type="redirect", RedirectConfig=elb.RedirectConfig(
            Protocol="HTTPS", Port="443", StatusCode="HTTP_301"))
    else:
        action = elb.Action(Type="fixed-response", FixedResponseConfig=elb.FixedResponseConfig(
            StatusCode="404", ContentType="text/plain", MessageBody="Not Found"))
    listener_id = ids.listener(listener.port, listener.protocol)
    resource = elb.Listener(listener_id, LoadBalancerArn=Ref(ids.load_balancer),
                            Port=listener.port, Protocol=listener.protocol, DefaultActions=[action])
    extra = []
    if listener.protocol in ("HTTPS", "TLS") and listener.certificates:
        first, *more = listener.certificates
        resource.Certificates = [elb.Certificate(CertificateArn=_certificate(first))]
        resource.SslPolicy = TLS_POLICY
        # One certificate per ListenerCertificate: CloudFormation loses certificates on updates
        # of a resource that lists several.
        extra = [elb.ListenerCertificate(ids.certificate(listener.port, i), ListenerArn=Ref(resource),
                                         Certificates=[elb.Certificate(CertificateArn=_certificate(ref))])
                 for i, ref in enumerate(more, start=2)]
    yield Emitted(resource, lb.spec_path, None)
    for item in extra:
        yield Emitted(item, lb.spec_path, None)


def _route(plan: Plan, route: Route, opened: set[str]) -> Iterator[Emitted]:
    exp, ids = route.exposure, Ids(route.service.name)
    if exp.certificate is not None:
        yield Emitted(certificatemanager.Certificate(
            ids.exposed(route.suffix, "Certificate"),
            DomainName=exp.certificate.name,
            ValidationMethod="DNS",
            # CloudFormation writes the validation record into the zone and waits for issue.
            DomainValidationOptions=[certificatemanager.DomainValidationOption(
                DomainName=exp.certificate.name, HostedZoneId=exp.certificate.zone)],
        ), (*_where(route), "certificate"), None)
    yield Emitted(_target_group(plan, route, target_group(route)), _where(route), None)
    if route.service.deployment.shifts_traffic:
        # The same group again: during a deployment the new tasks register here.
        yield Emitted(_target_group(plan, route, alternate(route)), _where(route), None)
    if not route.default:
        yield Emitted(_rule(route), _where(route), None)
    if exp.domain is not None:
        lb = LbIds(route.load_balancer.name).load_balancer
        yield Emitted(route53.RecordSetType(
            ids.exposed(route.suffix, "DnsRecord"),
            HostedZoneId=exp.domain.zone,
            Name=exp.domain.name,
            Type="A",
            AliasTarget=route53.AliasTarget(DNSName=GetAtt(lb, "DNSName"),
                                            HostedZoneId=GetAtt(lb, "CanonicalHostedZoneID"),
                                            EvaluateTargetHealth=False),
        ), (*_where(route), "domain"), None)
    # The ingress rules are the service's: they live in the service's stack, next to its group.
    for item in _ingress(route):
        if item.title not in opened:
            opened.add(item.title)
            yield Emitted(item, _where(route), route.service.name)


def _target_group(plan: Plan, route: Route, logical_id: str) -> elb.TargetGroup:
    health, port = route.exposure.health, route.port
    grpc = route.application and port.app_protocol == "grpc"
    checks: dict[str, Any] = {}
    if not route.application or health.protocol:
        checks["HealthCheckProtocol"] = route.health_protocol
    http = route.health_protocol in ("HTTP", "HTTPS")
    if http:
        checks["HealthCheckPath"] = health.path if health.path_given or not grpc else GRPC_HEALTH_PATH
    if route.health_port != route.port:
        checks["HealthCheckPort"] = str(route.health_port.port)
    checks.update(HealthCheckIntervalSeconds=health.interval, HealthCheckTimeoutSeconds=health.timeout,
                  HealthyThresholdCount=health.healthy_threshold, UnhealthyThresholdCount=health.unhealthy_threshold)
    if http:
        checks["Matcher"] = elb.Matcher(GrpcCode=health.matcher or "12") if grpc else elb.Matcher(
            HttpCode=health.matcher or "200")
    group = elb.TargetGroup(
        logical_id,
        TargetType="ip",
        Protocol=route.target_protocol,
        Port=port.port,
        VpcId=refs.vpc(plan.app),
        **checks,
        TargetGroupAttributes=[elb.TargetGroupAttribute(Key="deregistration_delay.timeout_seconds",
                                                        Value=DEREGISTRATION_DELAY)],
    )
    if grpc:
        group.ProtocolVersion = "GRPC"
    return group


def _rule(route: Route) -> elb.ListenerRule:
    exp = route.exposure
    conditions = [elb.Condition(Field="path-pattern",
                                PathPatternConfig=elb.PathPatternConfig(Values=route.path_patterns))]
    if exp.host:
        conditions.append(elb.Condition(Field="host-header", HostHeaderConfig=elb.HostHeaderConfig(Values=[exp.host])))
    if route.source_ips:
        conditions.append(elb.Condition(Field="source-ip",
                                        SourceIpConfig=elb.SourceIpConfig(Values=list(route.source_ips))))
    existing = route.load_balancer.existing
    listener = existing.listener(route.listener_port) if existing else None
    return elb.ListenerRule(
        Ids(route.service.name).exposed(route.suffix, "ListenerRule"),
        ListenerArn=listener or Ref(LbIds(route.load_balancer.name).listener(route.listener_port,
                                                                             route.listener_protocol)),
        Priority=route.priority,
        Conditions=conditions,
        Actions=[elb.ListenerRuleAction(**_forward(route))],
    )


def _ingress(route: Route) -> Iterator[ec2.SecurityGroupIngress]:
    """The load balancer may reach the target port (with the target group's protocols) and the
    health check port, nothing else."""
    svc, lb = route.service, route.load_balancer
    ids = Ids(svc.name)
    source = lb.existing.security_group if lb.existing else GetAtt(LbIds(lb.name).security_group, "GroupId")
    protocols = {"UDP": ("udp",), "TCP_UDP": ("tcp", "udp")}.get(route.target_protocol, ("tcp",))
    openings = [(route.port, proto, route.port.name) for proto in protocols]
    if route.health_port != route.port:
        openings.append((route.health_port, "tcp", f"{route.health_port.name} (health checks)"))
    for port, proto, label in openings:
        yield ec2.SecurityGroupIngress(
            ids.ingress_from_load_balancer(port.port, proto, lb.name),
            GroupId=GetAtt(ids.security_group, "GroupId"),
            SourceSecurityGroupId=source,
            IpProtocol=proto,
            FromPort=port.port,
            ToPort=port.port,
            Description=f"{'load balancer' if lb.name == 'public' else lb.name + ' load balancer'} to {svc.name} "
                        f"on {label}",
        )


def _urls(plan: Plan) -> Iterator[Emitted]:
    for route in plan.routes:
        exp, lb = route.exposure, route.load_balancer
        host: str | AWSHelperFn | None = exp.host or (exp.domain.name if exp.domain else None)
        if host is None and lb.existing is None:
            host = GetAtt(LbIds(lb.name).load_balancer, "DNSName")
        if host is None:
            continue  # an existing load balancer's name is not known here
        scheme = SCHEMES[route.listener_protocol]
        port = "" if (route.listener_protocol, route.listener_port) in IMPLIED_PORTS else f":{route.listener_port}"
        path = exp.path if route.application else ""
        name = route.service.name
        kind = "Public URL" if lb.internet_facing else "URL"
        yield Emitted(Output(Ids(name).exposed(route.suffix, "Url"), Description=f"{kind} of {name}",
                             Value=Join("", [f"{scheme}://", host, f"{port}{path}"])), exp.spec_path, name)


FAMILY = Family("load-balancer", app=_app, finish=_urls)
