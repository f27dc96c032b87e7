"""Family load balancer, as scc/plan/routing.py plans it: per load balancer its security group,
the load balancer, its listeners (with certificates), and per exposure a target group, a route (the
listener's default action or a rule) and the ingress rule that lets the load balancer reach the
service's target port and nothing else."""

from __future__ import annotations

from collections.abc import Iterator

from troposphere import GetAtt, Join, Output, Parameter, Ref, ec2, wafv2
from troposphere import elasticloadbalancingv2 as elb

from scc.families import refs
from scc.families.family import Emitted, Family
from scc.naming import Ids
from scc.plan import Listener, LoadBalancerPlan, Plan, Route

# The current TLS 1.3 + 1.2 policy Elastic Load Balancing recommends.
TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
# ECS waits this long for in-flight requests before stopping a task that leaves the target
# group; the AWS default of 300 s makes every deployment five minutes slower.
DEREGISTRATION_DELAY = "60"
# The path Application Load Balancers use for gRPC health checks by default.
GRPC_HEALTH_PATH = "/AWS.ALB/healthcheck"
SHARED: tuple[str] = ("services",)  # 1.0 writes the load balancer's settings on the public services


def attachment(route: Route) -> str:
    """What the ECS service must wait for: its target group is usable only once routed."""
    return Ids.listener(route.listener_protocol) if route.default else Ids(route.service.name).listener_rule


def _app(plan: Plan) -> Iterator[Emitted]:
    if not plan.load_balancers:
        return
    app = plan.app
    if not app.network.public_subnets:
        yield Emitted(Parameter(Ids.PUBLIC_SUBNETS_PARAM, Type="List<AWS::EC2::Subnet::Id>",
                                Description="Public subnets of the internet-facing load balancer (two or more AZs)"),
                      ("network",), None)
    for lb in plan.load_balancers:
        yield from _load_balancer(plan, lb)
    yield Emitted(Output("LoadBalancerDnsName", Description="DNS name of the shared load balancer",
                         Value=GetAtt(Ids.LOAD_BALANCER, "DNSName")), SHARED, None)


def _load_balancer(plan: Plan, lbp: LoadBalancerPlan) -> Iterator[Emitted]:
    app, lb = plan.app, lbp.load_balancer
    ingress = [ec2.SecurityGroupRule(IpProtocol="tcp", FromPort=listener.port, ToPort=listener.port, CidrIp=cidr,
                                     Description=f"{listener.protocol} from {cidr}")
               for listener in lbp.listeners for cidr in listener.audience]
    yield Emitted(ec2.SecurityGroup(Ids.LB_SECURITY_GROUP, GroupDescription=f"{app.name} load balancer",
                                    VpcId=refs.vpc(app), SecurityGroupIngress=ingress), SHARED, None)
    attributes = [
        # Requests with malformed headers are dropped instead of passed to the tasks, and
        # requests that could smuggle another one (HTTP desync) are refused.
        elb.LoadBalancerAttributes(Key="routing.http.drop_invalid_header_fields.enabled", Value="true"),
        elb.LoadBalancerAttributes(Key="routing.http.desync_mitigation_mode", Value="strictest"),
    ]
    if lb.access_logs:
        bucket, prefix = lb.access_logs
        attributes += [elb.LoadBalancerAttributes(Key="access_logs.s3.enabled", Value="true"),
                       elb.LoadBalancerAttributes(Key="access_logs.s3.bucket", Value=bucket)]
        if prefix:
            attributes.append(elb.LoadBalancerAttributes(Key="access_logs.s3.prefix", Value=prefix))
    yield Emitted(elb.LoadBalancer(
        Ids.LOAD_BALANCER,
        Type="application",
        Scheme="internet-facing",
        Subnets=list(app.network.public_subnets) or Ref(Ids.PUBLIC_SUBNETS_PARAM),
        SecurityGroups=[GetAtt(Ids.LB_SECURITY_GROUP, "GroupId")],
        LoadBalancerAttributes=attributes,
    ), SHARED, None)
    if lb.web_acl:
        yield Emitted(wafv2.WebACLAssociation(Ids.LB_WEB_ACL, ResourceArn=Ref(Ids.LOAD_BALANCER),
                                              WebACLArn=lb.web_acl), SHARED, None)
    for listener in lbp.listeners:
        yield from _listener(listener)
    for route in lbp.routes:
        where = ("services", route.service.name, "public")
        yield Emitted(_target_group(plan, route), where, None)
        if not route.default:
            yield Emitted(_rule(route), where, None)
        # The ingress rule is the service's: it lives in the service's stack, next to its group.
        yield Emitted(_ingress(route), where, route.service.name)


def _listener(listener: Listener) -> Iterator[Emitted]:
    default = listener.default
    if default is not None:
        action = elb.Action(Type="forward", TargetGroupArn=Ref(Ids(default.service.name).target_group))
    elif listener.redirect:
        action = elb.Action(Type="redirect", RedirectConfig=elb.RedirectConfig(
            Protocol="HTTPS", Port="443", StatusCode="HTTP_301"))
    else:
        action = elb.Action(Type="fixed-response", FixedResponseConfig=elb.FixedResponseConfig(
            StatusCode="404", ContentType="text/plain", MessageBody="Not Found"))
    resource = elb.Listener(Ids.listener(listener.protocol), LoadBalancerArn=Ref(Ids.LOAD_BALANCER),
                            Port=listener.port, Protocol=listener.protocol, DefaultActions=[action])
    extra = []
    if listener.protocol == "HTTPS":
        first, *more = listener.certificates
        resource.Certificates = [elb.Certificate(CertificateArn=first)]
        resource.SslPolicy = TLS_POLICY
        # One certificate per ListenerCertificate: CloudFormation loses certificates on updates
        # of a resource that lists several.
        extra = [elb.ListenerCertificate(Ids.lb_certificate(i), ListenerArn=Ref(resource),
                                         Certificates=[elb.Certificate(CertificateArn=arn)])
                 for i, arn in enumerate(more, start=2)]
    yield Emitted(resource, SHARED, None)
    for item in extra:
        yield Emitted(item, SHARED, None)


def _target_group(plan: Plan, route: Route) -> elb.TargetGroup:
    health, port = route.exposure.health, route.port
    grpc = port.app_protocol == "grpc"
    group = elb.TargetGroup(
        Ids(route.service.name).target_group,
        TargetType="ip",
        Protocol="HTTP",
        Port=port.port,
        VpcId=refs.vpc(plan.app),
        HealthCheckPath=health.path if health.path_given or not grpc else GRPC_HEALTH_PATH,
        HealthCheckIntervalSeconds=health.interval,
        HealthCheckTimeoutSeconds=health.timeout,
        HealthyThresholdCount=health.healthy_threshold,
        UnhealthyThresholdCount=health.unhealthy_threshold,
        Matcher=elb.Matcher(GrpcCode=health.matcher or "12") if grpc else elb.Matcher(HttpCode=health.matcher or "200"),
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
    return elb.ListenerRule(
        Ids(route.service.name).listener_rule,
        ListenerArn=Ref(Ids.listener(route.listener_protocol)),
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


def _urls(plan: Plan) -> Iterator[Emitted]:
    for route in plan.routes:
        scheme = route.listener_protocol.lower()
        host = route.exposure.host or GetAtt(Ids.LOAD_BALANCER, "DNSName")
        name = route.service.name
        yield Emitted(Output(f"{Ids(name).base}Url", Description=f"Public URL of {name}",
                             Value=Join("", [f"{scheme}://", host, route.exposure.path])), route.exposure.spec_path,
                      name)


FAMILY = Family("load-balancer", app=_app, finish=_urls)
