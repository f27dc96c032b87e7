"""Compile `public` as scc/routing.py plans it: one internet-facing Application Load Balancer
shared by all public services, its security group, an HTTP listener (and an HTTPS one when a
service uses 443), a target group and a route (the listener's default action or a rule) per
service, and the ingress rule that lets the load balancer reach each service's target port and
nothing else."""

from __future__ import annotations

from troposphere import GetAtt, Join, Ref, ec2, wafv2
from troposphere import elasticloadbalancingv2 as elb

from scc.diagnostics import Path
from scc.families.context import Context
from scc.naming import Ids
from scc.plan.routing import Route, certificates, listener_audience, listener_ports, routes

# The current TLS 1.3 + 1.2 policy Elastic Load Balancing recommends.
TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
# ECS waits this long for in-flight requests before stopping a task that leaves the target
# group; the AWS default of 300 s makes every deployment five minutes slower.
DEREGISTRATION_DELAY = "60"
# The path Application Load Balancers use for gRPC health checks by default.
GRPC_HEALTH_PATH = "/AWS.ALB/healthcheck"


def listener_id(port: int) -> str:
    return Ids.HTTPS_LISTENER if port == 443 else Ids.HTTP_LISTENER


def attachment(route: Route) -> str:
    """What the ECS service must wait for: its target group is usable only once routed."""
    return listener_id(route.listener_port) if route.default else Ids(route.service.name).listener_rule


def resources(ctx: Context) -> list[tuple[Path, list[object]]]:
    """The load balancer's resources, grouped by the part of the spec they come from: the shared
    ones from `services`, each route's from its service's `public`."""
    app = ctx.app
    planned = routes(app)
    if not planned:
        return []
    shared: list[object] = [_security_group(ctx), _load_balancer(ctx)]
    web_acl = _shared(ctx, "web_acl")
    if web_acl:
        shared.append(wafv2.WebACLAssociation(Ids.LB_WEB_ACL, ResourceArn=Ref(Ids.LOAD_BALANCER),
                                              WebACLArn=web_acl))
    for port in listener_ports(app):
        shared += _listener(ctx, port, [r for r in planned if r.listener_port == port])
    out: list[tuple[Path, list[object]]] = [(("services",), shared)]
    for route in planned:
        own = [_target_group(ctx, route), *([] if route.default else [_rule(route)]), _ingress(route)]
        out.append((("services", route.service.name, "public"), own))
    return out


def _security_group(ctx: Context) -> ec2.SecurityGroup:
    ingress = []
    for port in listener_ports(ctx.app):
        for cidr in listener_audience(ctx.app, port):
            ingress.append(ec2.SecurityGroupRule(IpProtocol="tcp", FromPort=port, ToPort=port, CidrIp=cidr,
                                                 Description=f"{'HTTPS' if port == 443 else 'HTTP'} from {cidr}"))
    return ec2.SecurityGroup(Ids.LB_SECURITY_GROUP, GroupDescription=f"{ctx.app.name} load balancer",
                             VpcId=ctx.vpc, SecurityGroupIngress=ingress)


def _shared(ctx: Context, attr: str) -> object:
    """A load balancer setting written on public services (rules make sure they agree)."""
    return next((getattr(s.public, attr) for s in ctx.app.services if s.public and getattr(s.public, attr)), None)


def _load_balancer(ctx: Context) -> elb.LoadBalancer:
    attributes = [
        # Requests with malformed headers are dropped instead of passed to the tasks, and
        # requests that could smuggle another one (HTTP desync) are refused.
        elb.LoadBalancerAttributes(Key="routing.http.drop_invalid_header_fields.enabled", Value="true"),
        elb.LoadBalancerAttributes(Key="routing.http.desync_mitigation_mode", Value="strictest"),
    ]
    logs = _shared(ctx, "access_logs")
    if logs:
        bucket, prefix = logs  # type: ignore[misc]
        attributes += [elb.LoadBalancerAttributes(Key="access_logs.s3.enabled", Value="true"),
                       elb.LoadBalancerAttributes(Key="access_logs.s3.bucket", Value=bucket)]
        if prefix:
            attributes.append(elb.LoadBalancerAttributes(Key="access_logs.s3.prefix", Value=prefix))
    return elb.LoadBalancer(
        Ids.LOAD_BALANCER,
        Type="application",
        Scheme="internet-facing",
        Subnets=list(ctx.app.network.public_subnets) or Ref(Ids.PUBLIC_SUBNETS_PARAM),
        SecurityGroups=[GetAtt(Ids.LB_SECURITY_GROUP, "GroupId")],
        LoadBalancerAttributes=attributes,
    )


def _listener(ctx: Context, port: int, group: list[Route]) -> list[object]:
    default = next((r for r in group if r.default), None)
    if default is not None:
        action = elb.Action(Type="forward", TargetGroupArn=Ref(Ids(default.service.name).target_group))
    elif port == 80 and 443 in listener_ports(ctx.app):
        action = elb.Action(Type="redirect", RedirectConfig=elb.RedirectConfig(
            Protocol="HTTPS", Port="443", StatusCode="HTTP_301"))
    else:
        action = elb.Action(Type="fixed-response", FixedResponseConfig=elb.FixedResponseConfig(
            StatusCode="404", ContentType="text/plain", MessageBody="Not Found"))
    listener = elb.Listener(listener_id(port), LoadBalancerArn=Ref(Ids.LOAD_BALANCER), Port=port,
                            Protocol="HTTPS" if port == 443 else "HTTP", DefaultActions=[action])
    out: list[object] = [listener]
    if port == 443:
        first, *more = certificates(ctx.app)
        listener.Certificates = [elb.Certificate(CertificateArn=first)]
        listener.SslPolicy = TLS_POLICY
        # One certificate per ListenerCertificate: CloudFormation loses certificates on updates
        # of a resource that lists several.
        out += [elb.ListenerCertificate(Ids.lb_certificate(i), ListenerArn=Ref(listener),
                                        Certificates=[elb.Certificate(CertificateArn=arn)])
                for i, arn in enumerate(more, start=2)]
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
        HealthCheckPath=pub.health_path if pub.health_path_given or not grpc else GRPC_HEALTH_PATH,
        HealthCheckIntervalSeconds=pub.health_interval,
        HealthCheckTimeoutSeconds=pub.health_timeout,
        HealthyThresholdCount=pub.healthy_threshold,
        UnhealthyThresholdCount=pub.unhealthy_threshold,
        Matcher=elb.Matcher(GrpcCode=pub.matcher or "12") if grpc else elb.Matcher(HttpCode=pub.matcher or "200"),
        TargetGroupAttributes=[elb.TargetGroupAttribute(Key="deregistration_delay.timeout_seconds",
                                                        Value=DEREGISTRATION_DELAY)],
    )
    if grpc:
        group.ProtocolVersion = "GRPC"
    return group


def _rule(route: Route) -> elb.ListenerRule:
    pub = route.public
    conditions = [elb.Condition(Field="path-pattern",
                                PathPatternConfig=elb.PathPatternConfig(Values=route.path_patterns))]
    if pub.host:
        conditions.append(elb.Condition(Field="host-header", HostHeaderConfig=elb.HostHeaderConfig(Values=[pub.host])))
    if route.source_ips:
        conditions.append(elb.Condition(Field="source-ip",
                                        SourceIpConfig=elb.SourceIpConfig(Values=list(route.source_ips))))
    return elb.ListenerRule(
        Ids(route.service.name).listener_rule,
        ListenerArn=Ref(listener_id(route.listener_port)),
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
    scheme = "https" if route.listener_port == 443 else "http"
    host = route.public.host or GetAtt(Ids.LOAD_BALANCER, "DNSName")
    return Join("", [f"{scheme}://", host, route.public.path])
