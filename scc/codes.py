"""The registry of diagnostic codes: severity, summary and explanation, the one source for
rules, `scc explain` and the docs' rules table."""

from __future__ import annotations

from dataclasses import dataclass

from scc.diagnostics import Diagnostic, Path, Severity


@dataclass(frozen=True)
class Code:
    code: str
    severity: Severity
    summary: str
    why: str


_E, _W = "error", "warning"

CODES: dict[str, Code] = {
    c.code: c
    for c in [
        # --- input (reading and parsing the file) ---
        Code("SCC001", _E, "the spec file cannot be read",
             "The path does not exist, is a directory, is not readable, is not UTF-8 text "
             "or is larger than the size limit."),
        Code("SCC002", _E, "YAML syntax error",
             "The file is not valid YAML; the location is where the parser gave up."),
        Code("SCC003", _E, "duplicate key",
             "YAML parsers silently keep the last of two equal keys; scc refuses them so that no setting is lost."),
        Code("SCC004", _E, "the spec is not a mapping",
             "A spec is one YAML mapping with at least `version`, `name` and `services`."),
        Code("SCC005", _E, "unsupported YAML tag",
             "Tags such as !!python/object could build arbitrary objects; a spec is plain data."),
        Code("SCC006", _E, "the document is too large once aliases are expanded",
             "Anchors and aliases can make a small file expand exponentially (a 'billion laughs' bomb); "
             "scc stops early."),
        Code("SCC007", _E, "two specs build the same output file",
             "Each spec writes templates_out/<name>.yaml; two specs with the same `name` would overwrite each other."),
        # --- schema ---
        Code("SCC101", _E, "unknown key",
             "The schema allows only documented keys, so a typo never silently does nothing."),
        Code("SCC102", _E, "missing required key", "A required key is absent."),
        Code("SCC103", _E, "wrong type", "The value has the wrong type (for example a string where a number belongs)."),
        Code("SCC104", _E, "value not allowed", "The value is not one of the allowed values."),
        Code("SCC105", _E, "value out of range", "The number is outside its allowed range."),
        Code("SCC106", _E, "value has the wrong format",
             "The value does not match the required format (a name, an ARN, an id)."),
        Code("SCC107", _E, "invalid value", "The value breaks a schema constraint (list length, duplicates, ...)."),
        Code("SCC108", _W, "lint.ignore names a code that cannot be ignored",
             "Only warnings can be silenced; an error always stops the build."),
        Code("SCC109", _E, "a CloudFormation substitution in a spec value",
             "Spec values are written into the template as plain text: `${AWS::Region}` would reach the "
             "container literally. Use a value scc fills in (the *_URL variables), or the task's own "
             "environment (ECS sets AWS_REGION in every task)."),
        # --- calls and ordering ---
        Code("SCC201", _E, "call to an unknown service", "`calls` names a service that is not defined in `services`."),
        Code("SCC202", _E, "dependsOn names an unknown service",
             "`dependsOn` names a service that is not defined in `services`."),
        Code("SCC203", _E, "call to a service that publishes nothing",
             "Only ports published through Service Connect (role client-server) can be called: a client "
             "service has no endpoint in the namespace, so the caller could never resolve it."),
        Code("SCC204", _E, "ordering cycle",
             "Ordered calls and dependsOn become CloudFormation DependsOn; a cycle makes the template undeployable. "
             "Set `ordered: false` on one call of the cycle."),
        Code("SCC205", _E, "a service calls or depends on itself",
             "A service reaches its own ports directly; it needs no call to itself."),
        Code("SCC206", _E, "call to a service with several published ports needs `port`",
             "The called service publishes more than one port, so the call must say which one."),
        Code("SCC207", _E, "call to a port the service does not publish",
             "`port` must name a published port of the called service."),
        Code("SCC208", _E, "environment variable set twice",
             "A call's URL variable has the same name as another call's or an `environment` entry; "
             "set `env` on the call."),
        Code("SCC209", _E, "duplicate call", "The same port of the same service is called twice."),
        Code("SCC210", _E, "a service without Service Connect calls a Service Connect service",
             "Service Connect names resolve only inside tasks that run the Service Connect proxy: a service "
             "with role `none` cannot reach them. Use role `client` (or `client-server`)."),
        # --- ports and Service Connect ---
        Code("SCC301", _E, "duplicate port name", "Port mapping names must be unique within a service."),
        Code("SCC302", _E, "unnamed port in a service with several ports",
             "The default port name is the service name, which can only name one port."),
        Code("SCC303", _E, "duplicate discovery name in the namespace",
             "Each published port is a Cloud Map service in the namespace; two with one name clash at deploy time."),
        Code("SCC304", _E, "duplicate client alias in the namespace",
             "Two published ports answer on the same DNS name and port; callers could not tell them apart."),
        Code("SCC305", _E, "perRequest timeout on a tcp port",
             "Without appProtocol, Service Connect proxies tcp and cannot see requests; ECS rejects a per-request "
             "timeout there. Set appProtocol or remove timeout.perRequest."),
        Code("SCC306", _E, "Service Connect without a namespace",
             "Services with role client or client-server join a Cloud Map namespace; set top-level `namespace`."),
        Code("SCC307", _E, "port settings that Service Connect would ignore",
             "publish, discoveryName, alias, timeout and tls apply only to ports published by a client-server "
             "service; scc refuses settings that would have no effect."),
        Code("SCC308", _E, "two names give the same CloudFormation logical id",
             "Logical ids are made from names without punctuation (`a-b1` and `a-b-1` both give `AB1`)."),
        Code("SCC309", _W, "task too small for the Service Connect proxy",
             "The Service Connect proxy runs in the task and needs about 256 CPU units and 64 MiB of its own; "
             "a 256-unit task leaves the application nothing. Use cpu 512 or more."),
        Code("SCC310", _E, "duplicate container port", "Two port mappings of a service use the same container port."),
        Code("SCC311", _E, "Service Connect settings on a service without Service Connect",
             "`serviceConnect` has no effect with role `none`."),
        # --- task size and capacity ---
        Code("SCC401", _E, "invalid Fargate cpu/memory pair",
             "Fargate accepts only certain memory sizes for each cpu size."),
        Code("SCC402", _E, "Fargate Spot with arm64", "Fargate Spot does not run arm64 (Graviton) tasks."),
        Code("SCC403", _E, "capacity provider not in the cluster",
             "A service can only use capacity providers associated with its cluster (`cluster.capacityProviders`)."),
        Code("SCC404", _E, "settings for a cluster that scc does not create",
             "With `cluster.existing: true` nothing is created, so containerInsights and capacityProviders "
             "would be ignored."),
        Code("SCC405", _E, "capacity weights are all zero", "At least one capacity provider needs a weight above 0."),
        # --- deployment ---
        Code("SCC501", _E, "deployment controller that does not work with Service Connect",
             "Service Connect works only with the ECS deployment controller; CodeDeploy and external "
             "controllers are rejected by ECS for Service Connect services."),
        Code("SCC502", _E, "deployment strategy needs the ECS controller",
             "blue-green, canary and linear are ECS-native strategies, run by the ECS deployment controller."),
        Code("SCC503", _E, "CodeDeploy needs a load balancer",
             "CodeDeploy blue/green shifts traffic between two target groups of a load balancer: the service "
             "must be `public`. ECS-native `strategy: blue-green` needs neither CodeDeploy nor a load balancer."),
        Code("SCC504", _E, "an external controller takes no load balancer or discovery on the service",
             "With the external deployment controller, load balancers and service registries belong to the "
             "task sets your controller creates, not to the service."),
        Code("SCC505", _E, "circuit breaker with canary or linear deployments",
             "ECS's deployment circuit breaker works with rolling and blue-green deployments only."),
        Code("SCC506", _E, "minHealthyPercent not below maxPercent",
             "A deployment must be able to run a new task before it stops an old one, or stop one first: "
             "with minHealthyPercent equal to maxPercent it can do neither."),
        Code("SCC507", _E, "rollback without the circuit breaker",
             "Rollback is what the circuit breaker does when it trips; with the circuit breaker off it has no effect."),
        # --- scaling ---
        Code("SCC601", _E, "scaling min is greater than max", "Application Auto Scaling needs min <= max."),
        Code("SCC602", _E, "desiredCount outside [min, max]",
             "With scaling, Application Auto Scaling owns the task count and keeps it within [min, max]; a "
             "desiredCount outside that range can never hold."),
        Code("SCC603", _E, "requests scaling on a port without an http, http2 or grpc appProtocol",
             "Without appProtocol Service Connect proxies tcp and publishes no RequestCount, so a policy on it "
             "would never scale. Set appProtocol on the published port, or scale on connections or cpu."),
        Code("SCC604", _E, "Service Connect scaling on a service that publishes no port",
             "RequestCount and ActiveConnectionCount are published for the server side of Service Connect "
             "(dimension DiscoveryName); a service that publishes no port has none."),
        Code("SCC605", _E, "albRequests scaling without a public load balancer",
             "ALBRequestCountPerTarget exists only for services behind the load balancer (`public`)."),
        Code("SCC606", _E, "invalid schedule expression",
             "cron takes six fields (minutes hours day-of-month month day-of-week year, one of the day fields "
             "`?`), rate takes `<n> minute(s)|hour(s)|day(s)`, at takes `yyyy-mm-ddThh:mm:ss`."),
        Code("SCC607", _E, "duplicate schedule name", "Scheduled action names must be unique within a service."),
        Code("SCC608", _E, "unknown time zone",
             "A schedule's timezone must be an IANA time zone name such as Asia/Tokyo."),
        # --- public exposure and DNS discovery ---
        Code("SCC701", _E, "two public services on the same path and host",
             "The shared load balancer routes each path and host to one target group; two services on the "
             "same listener, path and host would shadow each other."),
        Code("SCC702", _E, "public port 443 without a certificate",
             "An HTTPS listener needs an ACM certificate: set public.certificateArn."),
        Code("SCC703", _E, "certificate on a plain HTTP listener",
             "certificateArn is used by the HTTPS listener only: set `port: 443` (port 80 then redirects)."),
        Code("SCC704", _E, "unknown port name", "targetPort and discovery.port must name a port of the service."),
        Code("SCC705", _E, "public or SRV discovery on a service without ports",
             "The load balancer and SRV records send traffic to a container port; the service has none."),
        Code("SCC706", _E, "gRPC through the load balancer needs HTTPS",
             "An Application Load Balancer forwards gRPC only from an HTTPS listener: use `port: 443` with a "
             "certificate."),
        Code("SCC707", _E, "load balancer health check timeout not below its interval",
             "Elastic Load Balancing requires the health check timeout to be shorter than the interval."),
        Code("SCC708", _E, "DNS discovery needs a dns namespace",
             "Classic service discovery registers DNS records, which exist only in a private DNS namespace: "
             "set `namespace: {name: ..., type: dns}`."),
        Code("SCC709", _E, "DNS discovery name already used in the namespace",
             "A discovery name is a Cloud Map service in the namespace: it must not equal a Service Connect "
             "discovery name or another service's discovery name, or the two registrations clash."),
        Code("SCC710", _W, "stopTimeout shorter than the DNS TTL",
             "Resolvers cache a DNS answer for the TTL, so callers keep sending requests to a stopped task's "
             "address for up to that long. A task that stops sooner than the TTL fails those requests: keep "
             "stopTimeout at least the TTL (and handle SIGTERM by draining)."),
        Code("SCC711", _W, "DNS discovery without a container health check",
             "Cloud Map answers with every registered task; without a container health check ECS reports a "
             "task healthy as soon as it runs, so callers reach tasks that are not ready."),
        # --- the generated template ---
        Code("SCC901", _E, "cfn-lint error in the generated template",
             "scc produced a template that cfn-lint rejects: this is a bug in scc; please report it with the spec."),
        Code("SCC902", _W, "cfn-lint warning on the generated template",
             "cfn-lint found something worth a look in the generated template."),
        Code("SCC903", _E, "the template exceeds a CloudFormation limit",
             "A template may hold at most 500 resources and 1 MB (uploaded through S3). Split the app into "
             "several specs, each its own stack."),
    ]
}


def problem(code: str, message: str, path: Path = (), hint: str = "", at_key: bool = False) -> Diagnostic:
    """A diagnostic with the registered severity; the file and position are filled in later."""
    return Diagnostic(code=code, severity=CODES[code].severity, message=message, path=path, hint=hint,
                      at_key=at_key)
