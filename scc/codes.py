"""Every diagnostic code as an object: severity, summary, why and how to fix, in one place. Rules
use them by reference (`problem(SCC201, ...)`); `scc explain` and docs/rules.md read `CODES`."""

from __future__ import annotations

from dataclasses import dataclass

from scc.diagnostics import Diagnostic, Path, Severity


@dataclass(frozen=True)
class Code:
    code: str
    severity: Severity
    summary: str
    why: str
    fix: str


CODES: dict[str, Code] = {}


def _code(code: str, severity: Severity, summary: str, why: str, fix: str) -> Code:
    assert code not in CODES, code
    CODES[code] = Code(code, severity, summary, why, fix)
    return CODES[code]


_E: Severity = "error"
_W: Severity = "warning"


# --- input (reading and parsing the file) ---
SCC001 = _code(
    "SCC001",
    _E,
    "the spec file cannot be read",
    "The path does not exist, is a directory or not a regular file (a pipe, socket or device: scc never waits on "
    "one or reads it without end), is not readable, is not UTF-8 text or is larger than the size limit (2 MiB).",
    fix="Check the path; pass a YAML file (UTF-8, at most 2 MiB), not a directory.",
)
SCC002 = _code(
    "SCC002",
    _E,
    "YAML syntax error",
    "The file is not valid YAML; the location is where the parser gave up.",
    fix=(
        "Fix the YAML at the place shown. Quote values that contain ': ' or end with ':', e.g.\n  DB_PASSWORD: "
        "'arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf:password::'"
    ),
)
SCC003 = _code(
    "SCC003",
    _E,
    "duplicate key",
    "YAML parsers silently keep the last of two equal keys; scc refuses them so that no setting is lost.",
    fix="Keep one of the two keys; merge their values by hand if both mattered.",
)
SCC004 = _code(
    "SCC004",
    _E,
    "the spec is not a mapping",
    "A spec is one YAML mapping with at least `version`, `name` and `services`.",
    fix=(
        "Start the file with a mapping:\n  version: 1\n  name: shop\n  services:\n    web: {image: "
        "public.ecr.aws/nginx/nginx:1.27}"
    ),
)
SCC005 = _code(
    "SCC005",
    _E,
    "unsupported YAML tag",
    "Tags such as !!python/object could build arbitrary objects; a spec is plain data.",
    fix="Write plain values. scc generates !Ref, !GetAtt and !Sub itself.",
)
SCC006 = _code(
    "SCC006",
    _E,
    "the document is too large once aliases are expanded",
    "Anchors and aliases can make a small file expand exponentially (a 'billion laughs' bomb); scc stops early.",
    fix=(
        "Remove nested anchors/aliases, and aliases that point into their own node; use `defaults` for shared "
        "service fields."
    ),
)
SCC007 = _code(
    "SCC007",
    _E,
    "two specs build the same output file",
    "Each spec writes templates_out/<name>.yaml; two specs with the same `name` would overwrite each other.",
    fix="Give each spec its own `name:` (it names the output file and the stack's resources).",
)
SCC008 = _code(
    "SCC008",
    _E,
    "no such environment",
    "`--env` must name one of the spec's `environments`.",
    fix="Use one of the environment names under `environments` (the message lists them), or leave out --env.",
)

SCC009 = _code(
    "SCC009",
    _E,
    "the document is nested too deeply",
    "Every level of nesting costs the YAML parser a level of recursion; a file nested thousands of levels deep "
    "(`[[[[...`) would exhaust it. No spec needs more than a few dozen levels.",
    fix="Flatten the structure: a spec nests at most 64 levels (aliases expanded).",
)
SCC010 = _code(
    "SCC010",
    _E,
    "a number that is not finite",
    "`.nan` and `.inf` are valid YAML floats, but no CloudFormation property or spec setting takes them, and "
    "NaN compares false with every bound, so a range check would let it through.",
    fix="Write a finite number.",
)
SCC011 = _code(
    "SCC011",
    _E,
    "a character no template value can hold",
    "A NUL character (written `\\0` or `\\x00` in a double-quoted string) cannot be stored in a task definition, "
    "an environment variable or a CloudFormation template: Linux cuts the value at it or the API refuses it. "
    "Raw U+0085, U+2028 and U+2029 are line breaks to the YAML 1.1 parser scc uses but not to editors (YAML 1.2): "
    "the two would read different documents.",
    fix="Remove the character, or write it as an escape (`\\u2028`) in a double-quoted string.",
)
SCC012 = _code(
    "SCC012",
    _E,
    "the templates cannot be written",
    "The output directory or a file in it cannot be created or replaced: a file stands where a folder must be, "
    "the file system is read-only or full, or permission is denied. Nothing was changed: the build writes every "
    "file of the build or none.",
    fix="Fix what the message names (remove the file in the way, free space, fix permissions), or pass another "
    "`--out-dir`.",
)
SCC013 = _code(
    "SCC013",
    _E,
    "an environment sets a service or job the spec does not define",
    "An environment overrides the base spec's services and jobs; a misspelled name would silently become a new "
    "service, built from nothing but the override (with no image check against the base).",
    fix="Use the name of a service (or job) of the base spec; define new services in the base.",
)

# --- schema ---
SCC101 = _code(
    "SCC101",
    _E,
    "unknown key",
    "The schema allows only documented keys, so a typo never silently does nothing.",
    fix="Remove the key or correct its spelling (the hint names the closest valid key). `scc schema` lists every key.",
)
SCC102 = _code(
    "SCC102",
    _E,
    "missing required key",
    "A required key is absent.",
    fix="Add the key, e.g. `image: public.ecr.aws/nginx/nginx:1.27` on a service (or once in `defaults`).",
)
SCC103 = _code(
    "SCC103",
    _E,
    "wrong type",
    "The value has the wrong type (for example a string where a number belongs).",
    fix=(
        "Write the value in the expected type: numbers without quotes or decimal point (`cpu: 512`), booleans as "
        'true/false, text in quotes when YAML would read it otherwise ("true").'
    ),
)
SCC104 = _code(
    "SCC104",
    _E,
    "value not allowed",
    "The value is not one of the allowed values.",
    fix="Use one of the listed values, e.g. `appProtocol: http`.",
)
SCC105 = _code(
    "SCC105",
    _E,
    "value out of range",
    "The number is outside its allowed range.",
    fix="Use a number in the range the message gives, e.g. `stopTimeout: 30` (2 to 120).",
)
SCC106 = _code(
    "SCC106",
    _E,
    "value has the wrong format",
    "The value does not match the required format (a name, an ARN, an id).",
    fix=(
        "Follow the format the message describes, e.g. service names like `order-api`, ARNs like "
        "`arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf`."
    ),
)
SCC107 = _code(
    "SCC107",
    _E,
    "invalid value",
    "The value breaks a schema constraint (list length, duplicates, ...).",
    fix="Adjust the value as the message says (a non-empty list, no duplicates, ...).",
)
SCC108 = _code(
    "SCC108",
    _W,
    "lint.ignore names a code that cannot be ignored",
    "Only warnings can be silenced; an error always stops the build.",
    fix="Remove the code from lint.ignore; fix the error it reports instead.",
)
SCC109 = _code(
    "SCC109",
    _E,
    "a CloudFormation substitution in a spec value",
    (
        "Spec values are written into the template as plain text: `${AWS::Region}` would reach the container "
        "literally. Use a value scc fills in (the *_URL variables), or the task's own environment (ECS sets "
        "AWS_REGION in every task)."
    ),
    fix=(
        "Drop the ${AWS::...} expression: ECS sets AWS_REGION (and AWS_DEFAULT_REGION) in every task; pass other "
        "values literally."
    ),
)
SCC110 = _code(
    "SCC110",
    _E,
    "lint.regions names a region cfn-lint does not know",
    (
        "The template is checked against each region's resource specifications; cfn-lint has them for the AWS "
        "regions it knows."
    ),
    fix="Use region codes such as us-east-1 or eu-west-1 (`aws ec2 describe-regions` lists yours).",
)

# --- calls and ordering ---
SCC201 = _code(
    "SCC201",
    _E,
    "call to an unknown service",
    "`calls` names a service that is not defined in `services`.",
    fix="Correct the name (the hint names the closest service) or add the service to `services`.",
)
SCC202 = _code(
    "SCC202",
    _E,
    "dependsOn names an unknown service",
    "`dependsOn` names a service that is not defined in `services`.",
    fix="Correct the name or add the service to `services`.",
)
SCC203 = _code(
    "SCC203",
    _E,
    "call to a service that publishes nothing",
    (
        "Only ports published through Service Connect (role client-server) can be called: a client service has no "
        "endpoint in the namespace, so the caller could never resolve it."
    ),
    fix=(
        "Let the called service publish its port:\n  catalog:\n    ports: [{name: http, port: 8080, appProtocol: "
        "http}]   # role client-server is the default with ports\nor give it DNS `discovery` in a dns namespace."
    ),
)
SCC204 = _code(
    "SCC204",
    _E,
    "ordering cycle",
    (
        "Ordered calls and dependsOn become CloudFormation DependsOn; a cycle makes the template undeployable. Set "
        "`ordered: false` on one call of the cycle."
    ),
    fix=(
        "Break the cycle: `calls: [{service: orders, ordered: false}]` keeps the network rule and URL but drops the "
        "DependsOn; or remove a dependsOn entry."
    ),
)
SCC205 = _code(
    "SCC205",
    _E,
    "a service calls or depends on itself",
    "A service reaches its own ports directly; it needs no call to itself.",
    fix="Remove the entry: a task reaches its own ports on localhost.",
)
SCC206 = _code(
    "SCC206",
    _E,
    "call to a service with several published ports needs `port`",
    "The called service publishes more than one port, so the call must say which one.",
    fix="Name the port: `calls: [{service: catalog, port: http}]`.",
)
SCC207 = _code(
    "SCC207",
    _E,
    "call to a port the service does not publish",
    "`port` must name a published port of the called service.",
    fix="Use one of the port names the message lists, or publish the port you meant.",
)
SCC208 = _code(
    "SCC208",
    _E,
    "environment variable set twice",
    "A call's URL variable has the same name as another call's or an `environment` entry; set `env` on the call.",
    fix="Give one call its own variable: `calls: [{service: catalog, port: grpc, env: CATALOG_GRPC_URL}]`.",
)
SCC209 = _code(
    "SCC209",
    _E,
    "duplicate call",
    "The same port of the same service is called twice.",
    fix="Remove the repeated call.",
)
SCC210 = _code(
    "SCC210",
    _E,
    "a service without Service Connect calls a Service Connect service",
    (
        "Service Connect names resolve only inside tasks that run the Service Connect proxy: a service with role "
        "`none` cannot reach them. Use role `client` (or `client-server`)."
    ),
    fix="Give the caller a Service Connect role (`role: client`), or the callee DNS `discovery` in a dns namespace.",
)
SCC120 = _code(
    "SCC120",
    _E,
    "an override that does not apply",
    (
        "A patch operation's path (or from) does not exist in the generated template, or names a role the service "
        "has no resource for; RFC 6902 fails the operation rather than guess."
    ),
    fix="Check the path against the generated template in templates_out/ (list items count from 0; `-` appends).",
)
SCC121 = _code(
    "SCC121",
    _E,
    "a failed test operation",
    "A `test` operation found another value than it expects: the generated template is not what the patch was "
    "written for, so the operations after it are not applied.",
    fix="Update the test's value (or the patch) for the template scc generates now.",
)
SCC122 = _code(
    "SCC122",
    _E,
    "an override resource with a generated logical id",
    "`overrides.resources` and `overrides.outputs` add to the template; an id scc generates is not theirs to take.",
    fix="Choose another logical id, or change the generated resource with `patch`.",
)
SCC123 = _code(
    "SCC123",
    _E,
    "a patch removes what the template still refers to",
    "The patch removes a resource that another resource or an output refers to (Ref, GetAtt, DependsOn): the "
    "stack would fail to create.",
    fix="Remove what refers to it as well, or patch the resource instead of removing it.",
)
SCC124 = _code(
    "SCC124",
    _E,
    "cfn-lint finds an error in what an override wrote",
    "cfn-lint found an error in a resource, output or value an override wrote: it is the override's to fix, not "
    "scc's.",
    fix="Fix the override against the CloudFormation resource reference.",
)
SCC140 = _code(
    "SCC140",
    _E,
    "an update that ECS would refuse",
    (
        "Against the templates deployed last (the output directory), this build replaces or moves an ECS service "
        "that holds Service Connect discovery names (the new one is created first, and the names are unique per "
        "namespace), or changes the appProtocol of a published port, which ECS rejects. The stack update would fail "
        "halfway."
    ),
    fix="Change the discovery names in the same edit, or deploy in two steps; `scc plan` shows the changes. "
    "`--allow-refused-updates` writes the templates anyway.",
)
# --- importing other tools' definitions (scc import compose | copilot) ---
SCC130 = _code(
    "SCC130",
    _E,
    "the file or folder to import cannot be read",
    (
        "`scc import compose` reads one Compose file (UTF-8 YAML); `scc import copilot` reads a folder with "
        "copilot/<service>/manifest.yml files. The path does not exist, is of the wrong kind, or holds nothing to "
        "import."
    ),
    fix=(
        "Pass the Compose file itself (`scc import compose docker-compose.yml`), or the folder that holds `copilot/` "
        "(or `copilot/` itself) to `scc import copilot`."
    ),
)
SCC131 = _code(
    "SCC131",
    _E,
    "not a Compose file",
    (
        "The file does not have the shape the Compose specification's JSON schema gives a Compose file (a mapping "
        "with `services`, each a mapping of known keys), so scc cannot know what it means. Nothing is written."
    ),
    fix="Correct the value at the place shown (`docker compose config` checks a file the same way), then import it.",
)
SCC132 = _code(
    "SCC132",
    _E,
    "not a Copilot manifest",
    (
        "A Copilot workload manifest is a mapping with `name` and a `type` Copilot knows (Load Balanced Web Service, "
        "Backend Service, Worker Service, Scheduled Job, ...), and each key has the shape Copilot's manifest "
        "reference gives it. scc cannot import what it cannot read. Nothing is written."
    ),
    fix="Correct the manifest at the place shown (`copilot svc show` reads it the same way), then import it.",
)
SCC133 = _code(
    "SCC133",
    _E,
    "a variable the Compose file requires is not set",
    (
        "`${VAR:?message}` (or `${VAR?message}`) makes Compose stop when VAR is unset (or empty); scc import "
        "interpolates as Compose does, from the environment and the `.env` file beside the Compose file."
    ),
    fix="Set the variable in the environment or in `.env` next to the Compose file, then import again.",
)
SCC134 = _code(
    "SCC134",
    _W,
    "not carried over: no counterpart in scc",
    (
        "The imported definition says something the spec language cannot say on Fargate (a bind mount of the host, "
        "network_mode, privileged, a Copilot add-on, ...). The spec is written without it; this report is the list "
        "of what to look at."
    ),
    fix=(
        "Decide per line: often it belongs in the image (configuration files), in `overrides` (raw CloudFormation), or "
        "nowhere on ECS (development-only settings)."
    ),
)
SCC135 = _code(
    "SCC135",
    _W,
    "imported: needs a value only you know",
    (
        "Something was carried over with a placeholder or left out because its value is not in the imported file: an "
        "image Compose or Copilot would build, the ARN of a secret, a variable taken from the shell."
    ),
    fix="Edit the spec at the `# imported:` comment the line names: push the image and name it, add the secret's ARN.",
)

SCC420 = _code(
    "SCC420",
    _E,
    "ECS Exec with a read-only root file system",
    (
        "ECS Exec runs the SSM agent inside the task's containers, which must write to the root file system; "
        "with readonlyRootFilesystem the session never starts (the ECS developer guide lists it among ECS Exec's "
        "considerations)."
    ),
    fix="Turn `exec` off where the root file system is read-only, or write to a scratch volume and keep the root "
    "writable for debugging sessions.",
)
SCC215 = _code(
    "SCC215",
    _E,
    "a job calls a service reachable only through Service Connect",
    (
        "A task started by RunTask (a job's schedule or `aws ecs run-task`) cannot join Service Connect: ECS gives "
        "the proxy only to tasks of a service. A job reaches a service through its DNS discovery or a load balancer "
        "it is exposed on."
    ),
    fix="Give the called service `discovery` in a dns namespace, or expose it on a load balancer (an internal one).",
)
SCC216 = _code(
    "SCC216",
    _E,
    "a call to a job",
    "A job runs to completion and listens on nothing: it is started (by its schedule or RunTask), not called.",
    fix="Remove the call; start the job with its RunTask output, or give it a schedule.",
)
SCC211 = _code(
    "SCC211",
    _E,
    "an external target has the name of a service",
    "Services and external targets share one name space: a call names either, so one name cannot be both.",
    fix="Rename the external target (or the service): `external: {orders-db: {...}}`.",
)
SCC212 = _code(
    "SCC212",
    _E,
    "a variable name on a call that sets no variable",
    "`format: none` sets no variable, so an `env` name on the same call would have no effect.",
    fix="Remove `env`, or choose a format that sets the variable (`url`, `address` or `host`).",
)

# --- ports and Service Connect ---
SCC301 = _code(
    "SCC301",
    _E,
    "duplicate port name",
    "Port mapping names must be unique within a service.",
    fix="Rename one of the ports: `ports: [{name: http, port: 8080}, {name: admin, port: 9090}]`.",
)
SCC302 = _code(
    "SCC302",
    _E,
    "unnamed port in a service with several ports",
    "The default port name is the service name, which can only name one port.",
    fix="Name every port: `ports: [{name: http, port: 8080}, {name: grpc, port: 50051}]`.",
)
SCC303 = _code(
    "SCC303",
    _E,
    "duplicate discovery name in the namespace",
    "Each published port is a Cloud Map service in the namespace; two with one name clash at deploy time.",
    fix="Set a distinct `discoveryName` on one of the ports.",
)
SCC304 = _code(
    "SCC304",
    _E,
    "duplicate client alias in the namespace",
    "Two published ports answer on the same DNS name and port; callers could not tell them apart.",
    fix="Give one of the ports another `alias: {dnsName: ..., port: ...}`.",
)
SCC305 = _code(
    "SCC305",
    _E,
    "perRequest timeout on a tcp port",
    (
        "Without appProtocol, Service Connect proxies tcp and cannot see requests; ECS rejects a per-request timeout "
        "there. Set appProtocol or remove timeout.perRequest."
    ),
    fix="Set the protocol (`appProtocol: http`), or keep only `timeout: {idle: ...}`.",
)
SCC306 = _code(
    "SCC306",
    _E,
    "Service Connect without a namespace",
    "Services with role client or client-server join a Cloud Map namespace; set top-level `namespace`.",
    fix=(
        "Add `namespace: local` at the top level (an HTTP namespace created in the stack), or give the service "
        "`role: none`."
    ),
)
SCC307 = _code(
    "SCC307",
    _E,
    "port settings that Service Connect would ignore",
    (
        "publish, discoveryName, alias, timeout and tls apply only to ports published by a client-server service; "
        "scc refuses settings that would have no effect."
    ),
    fix="Remove the setting, or make the service publish the port (`role: client-server`, the default with ports).",
)
SCC308 = _code(
    "SCC308",
    _E,
    "two names give the same CloudFormation logical id",
    (
        "Logical ids are made from names without punctuation (`a-b1` and `a-b-1` both give `AB1`), and a service's "
        "ids must not equal another's (`a` with discovery gives ADiscoveryService, as does a service `a-discovery`) "
        "or a shared one (`load-balancer` would give LoadBalancerSecurityGroup)."
    ),
    fix=(
        "Rename the service so its resource names differ from the others (and from the shared ones such as "
        "LoadBalancer...)."
    ),
)
SCC309 = _code(
    "SCC309",
    _W,
    "task too small for the Service Connect proxy",
    (
        "The Service Connect proxy runs in the task and needs about 256 CPU units and 64 MiB of its own; a 256-unit "
        "task leaves the application nothing. Use cpu 512 or more."
    ),
    fix=(
        "Give the task room for the proxy: `cpu: 512` and `memory: 1024`. Silence with lint.ignore: [SCC309] only "
        "for tasks that truly need almost no CPU."
    ),
)
SCC310 = _code(
    "SCC310",
    _E,
    "duplicate container port",
    "Two port mappings of a service use the same container port.",
    fix="Map each container port once; give a port two aliases instead if callers need two names.",
)
SCC311 = _code(
    "SCC311",
    _E,
    "Service Connect settings on a service without Service Connect",
    "`serviceConnect` has no effect with role `none`.",
    fix="Remove `serviceConnect`, or give the service a Service Connect role.",
)
SCC312 = _code(
    "SCC312",
    _E,
    "appProtocol on a udp port",
    (
        "appProtocol tells Service Connect's proxy how to read a tcp stream (http, http2, grpc); a udp port carries "
        "datagrams, which the proxy never sees."
    ),
    fix="Remove appProtocol from the udp port, or make the port tcp.",
)
SCC313 = _code(
    "SCC313",
    _E,
    "a udp port published through Service Connect",
    (
        "Service Connect carries tcp only: a udp port cannot be published (ECS rejects it). Callers reach udp ports "
        "by DNS `discovery`, or through a network load balancer."
    ),
    fix="Remove `publish: true` from the udp port, and give the service `discovery` in a dns namespace.",
)

# --- task size and capacity ---
SCC401 = _code(
    "SCC401",
    _E,
    "invalid Fargate cpu/memory pair",
    "Fargate accepts only certain memory sizes for each cpu size.",
    fix=(
        "Pick a memory size that Fargate offers for the cpu (the hint lists them), e.g. cpu 512 with "
        "memory 1024 to 4096."
    ),
)
SCC402 = _code(
    "SCC402",
    _E,
    "Fargate Spot with arm64",
    "Fargate Spot does not run arm64 (Graviton) tasks.",
    fix="Use `capacity: fargate` for arm64 tasks, or `platform: x86_64` to run on Spot.",
)
SCC403 = _code(
    "SCC403",
    _E,
    "capacity provider not in the cluster",
    "A service can only use capacity providers associated with its cluster (`cluster.capacityProviders`).",
    fix="Add the provider to `cluster.capacityProviders` (default [FARGATE, FARGATE_SPOT]), or use another capacity.",
)
SCC404 = _code(
    "SCC404",
    _E,
    "settings for a cluster that scc does not create",
    "With `cluster.existing: true` nothing is created, so containerInsights and capacityProviders would be ignored.",
    fix="Remove the setting; change it on the existing cluster itself.",
)
SCC405 = _code(
    "SCC405",
    _E,
    "capacity weights are all zero",
    "At least one capacity provider needs a weight above 0.",
    fix="Give at least one provider a weight: `capacity: {FARGATE: 1, FARGATE_SPOT: 3}`.",
)
SCC410 = _code(
    "SCC410",
    _E,
    "a mount names a volume the service does not have",
    "A container mounts one of its task's `volumes` by name; an unknown name would fail the task definition.",
    fix="Add the volume under `volumes` (`cache: {}` for task storage), or mount one of those there.",
)
SCC411 = _code(
    "SCC411",
    _E,
    "a container name that is taken",
    (
        "Containers of a task need names of their own: the main container is named after the service, and "
        "`log-router` is the FireLens container when `logs.router` is set."
    ),
    fix="Rename the container under `containers`.",
)
SCC412 = _code(
    "SCC412",
    _E,
    "waitFor names an unknown container",
    (
        "`waitFor` orders a container after others of the same task; the name must be one of them (the main "
        "container is named after the service), not the container itself."
    ),
    fix="Use a name under `containers` (or the service's own name for the main container).",
)
SCC413 = _code(
    "SCC413",
    _E,
    "a waitFor cycle",
    "Containers that wait for each other never start: ECS refuses the task definition.",
    fix="Remove one `waitFor` entry of the cycle.",
)
SCC414 = _code(
    "SCC414",
    _E,
    "waitFor healthy on a container without a health check",
    "`healthy` waits for the other container's health check to pass; without one it never does.",
    fix="Give that container a `healthCheck`, or wait for `start`.",
)
SCC415 = _code(
    "SCC415",
    _E,
    "waitFor complete or success on an essential container",
    (
        "`complete` and `success` wait for the other container to exit, and when an essential container exits ECS "
        "stops the whole task."
    ),
    fix="Mark the other container `essential: false` (an init step), or wait for `start` or `healthy`.",
)
SCC416 = _code(
    "SCC416",
    _E,
    "the containers do not fit in the task",
    (
        "The task's cpu and memory are shared by its containers and the Service Connect proxy (about 256 CPU units "
        "and 64 MiB); the containers' reservations must leave room for all of them."
    ),
    fix=(
        "Raise the task's `cpu`/`memory` (a larger Fargate size), or lower the containers' `cpu`, `memory` or "
        "`memoryReservation`."
    ),
)
SCC417 = _code(
    "SCC417",
    _E,
    "a Linux capability Fargate does not add",
    (
        "Fargate tasks may add only SYS_PTRACE; any other added capability fails the task definition. Dropping "
        "capabilities is always allowed."
    ),
    fix="Remove the capability from `capabilities.add` (`drop: [ALL]` and `add: [SYS_PTRACE]` are fine).",
)
SCC418 = _code(
    "SCC418",
    _E,
    "rootDirectory with an EFS access point",
    "An access point sets its own root directory; ECS refuses a `rootDirectory` next to it.",
    fix="Remove `rootDirectory`, or the `accessPoint` (then the mount starts at rootDirectory).",
)
SCC419 = _code(
    "SCC419",
    _E,
    "an EFS volume without its security group under egress: none",
    (
        "With `egress: none` a task reaches only what scc opens for it: an EFS mount target needs its security group "
        "(`efs.securityGroup`) to open NFS (2049) to it."
    ),
    fix="Give the volume `securityGroup: sg-...` (the mount targets' group), or use `egress: vpc`.",
)

# --- deployment ---
SCC501 = _code(
    "SCC501",
    _E,
    "deployment controller that does not work with Service Connect",
    (
        "Service Connect works only with the ECS deployment controller; CodeDeploy and external controllers are "
        "rejected by ECS for Service Connect services."
    ),
    fix=(
        "Remove `controller`: ECS-native `strategy: blue-green` (or canary, linear) works with Service Connect. Or "
        "set `role: none`."
    ),
)
SCC502 = _code(
    "SCC502",
    _E,
    "deployment strategy needs the ECS controller",
    "blue-green, canary and linear are ECS-native strategies, run by the ECS deployment controller.",
    fix="Remove `controller` (the ECS controller runs the strategies), or remove `strategy`.",
)
SCC503 = _code(
    "SCC503",
    _E,
    "CodeDeploy needs a load balancer",
    (
        "CodeDeploy blue/green shifts traffic between two target groups of a load balancer: the service must be "
        "`public`. ECS-native `strategy: blue-green` needs neither CodeDeploy nor a load balancer."
    ),
    fix="Use the ECS-native `strategy: blue-green`, or make the service `public`.",
)
SCC504 = _code(
    "SCC504",
    _E,
    "an external controller takes no load balancer or discovery on the service",
    (
        "With the external deployment controller, load balancers and service registries belong to the task sets your "
        "controller creates, not to the service."
    ),
    fix="Remove `public`/`discovery` (your controller attaches them to task sets), or use the ECS controller.",
)
SCC505 = _code(
    "SCC505",
    _E,
    "circuit breaker with canary or linear deployments",
    "ECS's deployment circuit breaker works with rolling and blue-green deployments only.",
    fix="Remove `circuitBreaker` (watch CloudWatch alarms instead), or use rolling or blue-green.",
)
SCC506 = _code(
    "SCC506",
    _E,
    "minHealthyPercent not below maxPercent",
    (
        "A deployment must be able to run a new task before it stops an old one, or stop one first: with "
        "minHealthyPercent equal to maxPercent it can do neither."
    ),
    fix="Leave room to replace tasks: `minHealthyPercent: 100, maxPercent: 200` (or 50 and 100).",
)
SCC507 = _code(
    "SCC507",
    _E,
    "rollback without the circuit breaker",
    "Rollback is what the circuit breaker does when it trips; with the circuit breaker off it has no effect.",
    fix="Remove `rollback`, or turn the circuit breaker on.",
)
SCC508 = _code(
    "SCC508",
    _E,
    "request-count scaling on a service whose deployments shift traffic",
    (
        "albRequests tracks ALBRequestCountPerTarget of one target group. A blue-green, canary or linear "
        "deployment moves the traffic to the service's other target group, after which the policy reads no "
        "requests and scales the service in to its minimum while it serves all the traffic."
    ),
    fix="Scale on `requests` (Service Connect), `cpu` or `memory`, or use `strategy: rolling`.",
)
SCC509 = _code(
    "SCC509",
    _E,
    "deployment settings of another strategy",
    (
        "`canary` configures `strategy: canary`, `linear` configures `strategy: linear`, and `bakeTime` the "
        "three traffic-shifting strategies; with another strategy ECS would reject or ignore them."
    ),
    fix="Set the matching `strategy`, or remove the setting.",
)
SCC510 = _code(
    "SCC510",
    _E,
    "rollback alarms with nothing to measure",
    (
        "The errors and latency alarms read HTTP metrics: the target group's, behind an application load "
        "balancer, or Service Connect's, for a published port with appProtocol http or http2. This service has "
        "neither, so the alarms could never go off."
    ),
    fix="Expose the service on an application load balancer or publish an http port, or list existing alarms in "
    "`names`.",
)
SCC511 = _code(
    "SCC511",
    _E,
    "a deployment longer than CloudFormation waits",
    (
        "CloudFormation waits about 33 hours for a service update; a canary or linear deployment whose bake times "
        "add up to more fails the stack update even when the deployment is healthy."
    ),
    fix="Shorten `bakeTime` or the steps' `bakeTime`, or take larger linear steps.",
)

# --- scaling ---
SCC601 = _code(
    "SCC601",
    _E,
    "scaling min is greater than max",
    "Application Auto Scaling needs min <= max.",
    fix="Make min at most max: `scaling: {min: 1, max: 10}`.",
)
SCC602 = _code(
    "SCC602",
    _E,
    "desiredCount outside [min, max]",
    (
        "With scaling, Application Auto Scaling owns the task count and keeps it within [min, max]; a desiredCount "
        "outside that range can never hold."
    ),
    fix="Remove `desiredCount` (Application Auto Scaling owns the count), or move it into [min, max].",
)
SCC603 = _code(
    "SCC603",
    _E,
    "requests scaling on a port without an http, http2 or grpc appProtocol",
    (
        "Without appProtocol Service Connect proxies tcp and publishes no RequestCount, so a policy on it would "
        "never scale. Set appProtocol on the published port, or scale on connections or cpu."
    ),
    fix="Set `appProtocol: http` (or http2, grpc) on the published port, or scale on `connections` or `cpu`.",
)
SCC604 = _code(
    "SCC604",
    _E,
    "Service Connect scaling on a service that publishes no port",
    (
        "RequestCount and ActiveConnectionCount are published for the server side of Service Connect (dimension "
        "DiscoveryName); a service that publishes no port has none."
    ),
    fix="Publish a port (role client-server), or scale on `cpu` or `memory`.",
)
SCC605 = _code(
    "SCC605",
    _E,
    "albRequests scaling without a public load balancer",
    "ALBRequestCountPerTarget exists only for services behind the load balancer (`public`).",
    fix="Make the service `public`, or scale on `requests`, `cpu` or `memory`.",
)
SCC606 = _code(
    "SCC606",
    _E,
    "invalid schedule expression",
    (
        "cron takes six fields (minutes hours day-of-month month day-of-week year, one of the day fields `?`), rate "
        "takes `<n> minute(s)|hour(s)|day(s)`, at takes `yyyy-mm-ddThh:mm:ss`."
    ),
    fix=(
        'Write the expression as the message shows: `cron: "0 9 ? * MON-FRI *"`, `rate: 6 hours`, `at: '
        '"2026-12-24T18:00:00"`.'
    ),
)
SCC607 = _code(
    "SCC607",
    _E,
    "duplicate schedule name",
    "Scheduled action names must be unique within a service.",
    fix="Give each scheduled action its own name.",
)
SCC608 = _code(
    "SCC608",
    _E,
    "unknown time zone",
    "A schedule's timezone must be an IANA time zone name such as Asia/Tokyo.",
    fix="Use an IANA time zone name such as `UTC`, `Europe/Paris` or `Asia/Tokyo`.",
)

SCC609 = _code(
    "SCC609",
    _E,
    "backlog scaling without a queue",
    "`scaling.targets.backlog` tracks visible messages of the service's own queue per running task; it has none.",
    fix="Add `queue: {}` to the service (it then consumes it), or scale on cpu, memory or requests.",
)

# --- load balancers, exposures and DNS discovery ---
SCC701 = _code(
    "SCC701",
    _E,
    "two public services on the same path and host",
    (
        "The shared load balancer routes each path and host to one target group; two services on the same listener, "
        "path and host would shadow each other."
    ),
    fix="Give one of the services another `path` or a `host`.",
)
SCC702 = _code(
    "SCC702",
    _E,
    "an HTTPS or TLS listener without a certificate",
    "An HTTPS (or TLS) listener needs a certificate: `certificateArn`, or `certificate` for one scc creates.",
    fix="Add `certificateArn: arn:aws:acm:<region>:<account>:certificate/...` or `certificate: {domain, zone}`, or use "
    "`port: 80`.",
)
SCC703 = _code(
    "SCC703",
    _E,
    "certificate on a listener that does not use one",
    "Certificates are used by HTTPS and TLS listeners only: on port 443 the listener is HTTPS (80 then redirects).",
    fix="Set `port: 443` (port 80 then redirects to HTTPS) or `protocol: https`, or remove the certificate.",
)
SCC704 = _code(
    "SCC704",
    _E,
    "unknown port name",
    "targetPort and discovery.port must name a port of the service.",
    fix="Use one of the service's port names.",
)
SCC705 = _code(
    "SCC705",
    _E,
    "public or SRV discovery on a service without ports",
    "The load balancer and SRV records send traffic to a container port; the service has none.",
    fix="Add a port: `ports: [{name: http, port: 8080, appProtocol: http}]`, or use A records.",
)
SCC706 = _code(
    "SCC706",
    _E,
    "gRPC through the load balancer needs HTTPS",
    "An Application Load Balancer forwards gRPC only from an HTTPS listener: use `port: 443` with a certificate.",
    fix="Serve gRPC over HTTPS: `public: {port: 443, certificateArn: ...}`.",
)
SCC707 = _code(
    "SCC707",
    _E,
    "load balancer health check timeout not below its interval",
    "Elastic Load Balancing requires the health check timeout to be shorter than the interval.",
    fix="Make the timeout shorter than the interval, e.g. `healthCheck: {interval: 30, timeout: 5}`.",
)
SCC708 = _code(
    "SCC708",
    _E,
    "DNS discovery needs a dns namespace",
    (
        "Classic service discovery registers DNS records, which exist only in a private DNS namespace: set "
        "`namespace: {name: ..., type: dns}`."
    ),
    fix="Use a DNS namespace: `namespace: {name: shop.local, type: dns}` (Service Connect works there too).",
)
SCC709 = _code(
    "SCC709",
    _E,
    "DNS discovery name already used in the namespace",
    (
        "A discovery name is a Cloud Map service in the namespace: it must not equal a Service Connect discovery "
        "name or another service's discovery name, or the two registrations clash."
    ),
    fix="Set another `discovery.name`, or another `discoveryName` on the Service Connect port.",
)
SCC710 = _code(
    "SCC710",
    _W,
    "stopTimeout shorter than the DNS TTL",
    (
        "Resolvers cache a DNS answer for the TTL, so callers keep sending requests to a stopped task's address for "
        "up to that long. A task that stops sooner than the TTL fails those requests: keep stopTimeout at least the "
        "TTL (and handle SIGTERM by draining)."
    ),
    fix=(
        "Keep tasks alive at least as long as the TTL: `stopTimeout: 60` for the default ttl 60 (and drain on "
        "SIGTERM), or lower `discovery.ttl`."
    ),
)
SCC711 = _code(
    "SCC711",
    _W,
    "DNS discovery without a container health check",
    (
        "Cloud Map answers with every registered task; without a container health check ECS reports a task healthy "
        "as soon as it runs, so callers reach tasks that are not ready."
    ),
    fix="Add a container health check: `healthCheck: {command: curl -f http://localhost:8080/health || exit 1}`.",
)
SCC712 = _code(
    "SCC712",
    _E,
    "a load balancer rule with more than five condition values",
    (
        "An Application Load Balancer rule holds at most five condition values (path patterns, host, source CIDRs); "
        "CloudFormation would fail at deploy time."
    ),
    fix="Use at most five values: fewer allowFrom CIDRs (or wider ones), or a path without the extra pattern.",
)
SCC713 = _code(
    "SCC713",
    _E,
    "a call through DNS to a service with SRV records only",
    (
        "Cloud Map creates only an SRV record at an SRV service's name; an http:// or tcp:// URL there does not "
        "resolve. SRV records are for clients that look them up."
    ),
    fix="Use `discovery: {record: A}` on the called service, or reach it through Service Connect.",
)
SCC714 = _code(
    "SCC714",
    _E,
    "a udp port behind the Application Load Balancer",
    "An Application Load Balancer forwards HTTP over tcp; a udp port needs a network load balancer or DNS discovery.",
    fix="Point `targetPort` at a tcp port of the service, or expose the udp port on a `type: network` load balancer.",
)
SCC720 = _code(
    "SCC720",
    _E,
    "an exposure through a load balancer that is not defined",
    "`expose[].loadBalancer` names a key of the top-level `loadBalancers` (or `public`, which needs no entry).",
    fix="Add the load balancer: `loadBalancers: {internal: {}}` (internal application by default), or use `public`.",
)
SCC721 = _code(
    "SCC721",
    _E,
    "one listener port with two protocols",
    "Exposures on the same port of one load balancer share its listener, which has one protocol.",
    fix="Use the same `protocol` (and certificate rule) on that port, or another `port` for one of them.",
)
SCC722 = _code(
    "SCC722",
    _E,
    "routing by path or host on a network load balancer",
    (
        "A network load balancer forwards a listener port to one target group: it cannot route by `path` or `host`, "
        "so each port carries one exposure."
    ),
    fix="Give each exposure its own `port`, or use an application load balancer for path and host routing.",
)
SCC723 = _code(
    "SCC723",
    _E,
    "a listener protocol the load balancer or target port does not speak",
    (
        "Application load balancers listen on http and https; network load balancers on tcp, udp, tls and tcp_udp. "
        "A udp listener needs a udp target port, and a tcp, tls or http listener a tcp one."
    ),
    fix="Use a protocol of the load balancer's type that matches the target port, or another load balancer.",
)
SCC724 = _code(
    "SCC724",
    _E,
    "both certificateArn and certificate",
    "An exposure uses the certificate given by ARN or the one scc creates, not both.",
    fix="Keep `certificateArn` (an existing certificate) or `certificate` (one created and DNS-validated), not both.",
)
SCC725 = _code(
    "SCC725",
    _E,
    "a setting the load balancer's type does not have",
    (
        "`idleTimeout`, `webAcl` and tcp-free HTTP health checks belong to application load balancers; a `tcp` "
        "health check to network ones."
    ),
    fix="Remove the setting, or change the load balancer's `type`.",
)
SCC726 = _code(
    "SCC726",
    _E,
    "a udp target without a health check it can answer",
    (
        "Network load balancers cannot health-check over udp: a udp target group is checked over tcp or http, on a "
        "tcp port of the service (`healthCheck.port`)."
    ),
    fix="Add `healthCheck: {port: <a tcp port name>}` (tcp), or with `path` for an http check.",
)
SCC727 = _code(
    "SCC727",
    _E,
    "a domain record on an existing load balancer",
    "scc does not know an existing load balancer's DNS name, so it cannot point a Route 53 record at it.",
    fix="Create the record where the load balancer is defined, or expose the service on a load balancer scc creates.",
)
SCC728 = _code(
    "SCC728",
    _E,
    "a rule on an existing listener without a priority",
    (
        "An existing listener has rules scc cannot see; a priority scc picked could collide with one of them and the "
        "deployment would fail."
    ),
    fix="Set `priority` (1 to 50000) to a number no other rule of that listener uses.",
)
SCC729 = _code(
    "SCC729",
    _E,
    "settings on an existing load balancer",
    (
        "An `existing` load balancer belongs to whoever created it: scc creates only target groups and rules on it, "
        "so its type, scheme, subnets, idle timeout, access logs and web ACL are set there."
    ),
    fix="Remove the setting, or let scc create the load balancer (remove `existing`).",
)
SCC730 = _code(
    "SCC730",
    _E,
    "an exposure on a port the existing load balancer does not list",
    "scc adds rules only to the listeners `existing.listeners` names, by port.",
    fix="Use one of the listed ports, or add that listener's ARN under `existing.listeners`.",
)
SCC731 = _code(
    "SCC731",
    _E,
    "two rules with the same priority on one listener",
    "Rule priorities are unique per listener; CloudFormation would fail to create the second rule.",
    fix="Give each rule on the listener its own `priority`.",
)
SCC732 = _code(
    "SCC732",
    _E,
    "more than five exposures on one service",
    "An ECS service registers with at most five target groups, one per exposure.",
    fix="Expose at most five ports or routes per service; route several paths to one exposure with a `*` path.",
)

# --- security ---
SCC801 = _code(
    "SCC801",
    _E,
    "secretsKmsKey without secrets",
    "The execution role may decrypt with secretsKmsKey only to read `secrets`; without any it would have no effect.",
    fix="Remove secretsKmsKey, or add the `secrets` it decrypts.",
)
SCC802 = _code(
    "SCC802",
    _W,
    "a plain environment variable that looks like a secret",
    (
        "Plain `environment` values are stored in the task definition, visible to anyone who can describe it and in "
        "every CloudFormation template and diff. Credentials belong in Secrets Manager or SSM Parameter Store, "
        "referenced from `secrets`, which the task reads at start."
    ),
    fix=(
        "Store the value in Secrets Manager and reference it: `secrets: {DB_PASSWORD: "
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf}`; silence with lint.ignore: [SCC802] if the "
        "value is not secret."
    ),
)
SCC803 = _code(
    "SCC803",
    _E,
    "a load balancer setting written on a service",
    (
        "Access logs and the web ACL are settings of the load balancer, which services share: since 1.1 they are "
        "written once, under `loadBalancers.public`, not on each service's `public`."
    ),
    fix="Move it: `loadBalancers: {public: {accessLogs: {bucket: ...}, webAcl: ...}}`.",
)
SCC804 = _code(
    "SCC804",
    _E,
    "vpcCidr without egress: vpc",
    "vpcCidr is only used to allow egress inside the VPC.",
    fix="Set `network.egress: vpc`, or remove vpcCidr.",
)

SCC805 = _code(
    "SCC805",
    _E,
    "a secret ARN with a wildcard",
    "The execution role may read exactly the ARNs under `secrets`; a `*` or `?` in one makes IAM grant every secret "
    "(or parameter) it matches, up to all of the account's, to every task of the service. ECS also needs one "
    "secret per variable, not a pattern.",
    fix="Write the full ARN of the one secret the variable reads (Secrets Manager adds six random characters after "
    "the name: copy the ARN from the console or `aws secretsmanager describe-secret`).",
)
SCC806 = _code(
    "SCC806",
    _W,
    "a task role with administrator rights",
    "The task role is what the application's AWS SDK uses: AdministratorAccess (or `*` actions on `*` resources) "
    "lets anyone who runs code in the container do anything in the account.",
    fix="Grant the actions the application calls on the resources it uses; `lint.ignore: [SCC806]` if it is "
    "intended (an admin tool).",
)
SCC807 = _code(
    "SCC807",
    _W,
    "an allowFrom range that is wider than its address",
    "`10.1.2.3/0` is every address, not the host 10.1.2.3: a prefix that leaves bits of the address unused "
    "usually means `/32` (or the network's prefix) was meant, and opens the load balancer to the internet.",
    fix="Write the host as `/32` (IPv6 `/128`), the network with its own prefix, or `0.0.0.0/0` if every address "
    "is meant.",
)

# --- the generated template ---
SCC901 = _code(
    "SCC901",
    _E,
    "cfn-lint error in the generated template",
    "scc produced a template that cfn-lint rejects: this is a bug in scc; please report it with the spec.",
    fix=(
        "Report it with the spec; meanwhile lint.ignore: [<cfn-lint rule id>] lets the build through if the finding "
        "is wrong."
    ),
)
SCC902 = _code(
    "SCC902",
    _W,
    "cfn-lint warning on the generated template",
    "cfn-lint found something worth a look in the generated template.",
    fix="Read the finding; silence it with `lint: {ignore: [<rule id>]}` if it is intended.",
)
SCC903 = _code(
    "SCC903",
    _E,
    "the template exceeds a CloudFormation limit",
    (
        "A template may hold at most 500 resources, 200 outputs, 200 parameters and 1 MB (uploaded through S3). scc "
        "moves services into nested stacks when one template would not fit, but the root keeps the shared resources, "
        "including each public service's target group and listener rule, and a nested stack receives what its "
        "services use from other stacks as parameters."
    ),
    fix=(
        "Split the services into several specs, each built into its own stack (for example the public services of "
        "one load balancer per spec)."
    ),
)

SCC904 = _code(
    "SCC904",
    _E,
    "the app is more than one CloudFormation operation can create",
    (
        "CloudFormation creates, updates or deletes at most 2,500 resources in one operation of a nested stack "
        "hierarchy (the root stack and all its nested stacks). Creating the app, and deleting it, acts on every "
        "resource it holds, so an app over that many would fail on its first deployment or leave a stack that "
        "cannot be deleted in one go."
    ),
    fix=(
        "Split the services into several specs, each built into its own stack (for example one spec per team or "
        "per load balancer), calling each other through their load balancers or a shared namespace."
    ),
)

def explain(code: Code) -> str:
    return f"{code.code} ({code.severity}): {code.summary}\n\nWhy: {code.why}\n\nFix: {code.fix}\n"


def code_markdown(code: Code) -> str:
    """One code in Markdown (`scc explain SCC603 --markdown`), for an issue, a review or a wiki."""
    return f"## {code.code} ({code.severity}): {code.summary}\n\n**Why:** {code.why}\n\n**Fix:** {code.fix}\n"


def rules_markdown() -> str:
    """docs/rules.md: every code, generated from this registry (`scc explain --markdown`)."""
    rows = [
        "# scc diagnostic codes",
        "",
        "Generated by `scc explain --markdown` from `scc/codes.py`; `scc explain CODE` prints one.",
        "Warnings can be silenced per spec with `lint: {ignore: [SCCnnn]}` and turned into errors with",
        "`--strict`.",
        "",
        "| code | severity | what | why | how to fix |",
        "|---|---|---|---|---|",
    ]

    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", "<br>")

    for c in CODES.values():
        rows.append(f"| {c.code} | {c.severity} | {cell(c.summary)} | {cell(c.why)} | {cell(c.fix)} |")
    return "\n".join(rows) + "\n"


def problem(code: Code, message: str, path: Path = (), hint: str = "", at_key: bool = False) -> Diagnostic:
    """A diagnostic with the registered severity; the file and position are filled in later."""
    return Diagnostic(code=code.code, severity=code.severity, message=message, path=path, hint=hint, at_key=at_key)
