"""Real applications, wired by `calls` alone (issue 13): Online Boutique, the Docker voting app and
Sock Shop, written from their upstream manifests (the spec headers name the commits and files).
Each builds lint-clean, and every container gets exactly the peer variables its code reads, with
the value it expects; where the code writes a host name instead, the called service answers to
that name and port through Service Connect, and the caller may reach it. No spec uses `alias` or
an `environment` entry for a peer's address."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from scc.pipeline import Result, build
from tests.conftest import ROOT, load_template


@dataclass(frozen=True)
class App:
    spec: str
    # container -> {variable: value} for every container of the app: exactly the peer variables
    # its code reads. `${Param}` stands for a template parameter's value.
    variables: dict[str, dict[str, str]]
    # (caller, host, port): host names written into the code, with the port its client dials.
    hosts: list[tuple[str, str, int]] = field(default_factory=list)
    # warning code -> why it is accepted. None is: every example builds without warnings.
    accepted_warnings: dict[str, str] = field(default_factory=dict)


ONLINE_BOUTIQUE = App(
    spec="online-boutique.yaml",
    variables={
        "frontend": {
            # src/frontend/main.go: mustMapEnv(&svc.productCatalogSvcAddr, "PRODUCT_CATALOG_SERVICE_ADDR")
            "PRODUCT_CATALOG_SERVICE_ADDR": "productcatalogservice:3550",
            # src/frontend/main.go: mustMapEnv(&svc.currencySvcAddr, "CURRENCY_SERVICE_ADDR")
            "CURRENCY_SERVICE_ADDR": "currencyservice:7000",
            # src/frontend/main.go: mustMapEnv(&svc.cartSvcAddr, "CART_SERVICE_ADDR")
            "CART_SERVICE_ADDR": "cartservice:7070",
            # src/frontend/main.go: mustMapEnv(&svc.recommendationSvcAddr, "RECOMMENDATION_SERVICE_ADDR")
            "RECOMMENDATION_SERVICE_ADDR": "recommendationservice:8080",
            # src/frontend/main.go: mustMapEnv(&svc.checkoutSvcAddr, "CHECKOUT_SERVICE_ADDR")
            "CHECKOUT_SERVICE_ADDR": "checkoutservice:5050",
            # src/frontend/main.go: mustMapEnv(&svc.shippingSvcAddr, "SHIPPING_SERVICE_ADDR")
            "SHIPPING_SERVICE_ADDR": "shippingservice:50051",
            # src/frontend/main.go: mustMapEnv(&svc.adSvcAddr, "AD_SERVICE_ADDR")
            "AD_SERVICE_ADDR": "adservice:9555",
            # src/frontend/main.go: mustMapEnv(&svc.shoppingAssistantSvcAddr, "SHOPPING_ASSISTANT_SERVICE_ADDR");
            # src/frontend/handlers.go: url := "http://" + fe.shoppingAssistantSvcAddr (external target)
            "SHOPPING_ASSISTANT_SERVICE_ADDR": "${ShoppingassistantserviceHost}:80",
        },
        "loadgenerator": {
            # src/loadgenerator/Dockerfile: locust --host="http://${FRONTEND_ADDR}"
            "FRONTEND_ADDR": "frontend:8080",
        },
        "checkoutservice": {
            # src/checkoutservice/main.go: mustMapEnv(&svc.shippingSvcAddr, "SHIPPING_SERVICE_ADDR")
            "SHIPPING_SERVICE_ADDR": "shippingservice:50051",
            # src/checkoutservice/main.go: mustMapEnv(&svc.productCatalogSvcAddr, "PRODUCT_CATALOG_SERVICE_ADDR")
            "PRODUCT_CATALOG_SERVICE_ADDR": "productcatalogservice:3550",
            # src/checkoutservice/main.go: mustMapEnv(&svc.cartSvcAddr, "CART_SERVICE_ADDR")
            "CART_SERVICE_ADDR": "cartservice:7070",
            # src/checkoutservice/main.go: mustMapEnv(&svc.currencySvcAddr, "CURRENCY_SERVICE_ADDR")
            "CURRENCY_SERVICE_ADDR": "currencyservice:7000",
            # src/checkoutservice/main.go: mustMapEnv(&svc.emailSvcAddr, "EMAIL_SERVICE_ADDR")
            "EMAIL_SERVICE_ADDR": "emailservice:8080",
            # src/checkoutservice/main.go: mustMapEnv(&svc.paymentSvcAddr, "PAYMENT_SERVICE_ADDR")
            "PAYMENT_SERVICE_ADDR": "paymentservice:50051",
        },
        "recommendationservice": {
            # src/recommendationservice/recommendation_server.py: os.environ.get('PRODUCT_CATALOG_SERVICE_ADDR', '')
            "PRODUCT_CATALOG_SERVICE_ADDR": "productcatalogservice:3550",
        },
        "cartservice": {
            # src/cartservice/src/Startup.cs: string redisAddress = Configuration["REDIS_ADDR"]
            "REDIS_ADDR": "redis-cart:6379",
        },
        # These call nobody (COLLECTOR_SERVICE_ADDR is read only with ENABLE_TRACING=1, left off).
        "redis-cart": {},
        "productcatalogservice": {},
        "currencyservice": {},
        "shippingservice": {},
        "paymentservice": {},
        "emailservice": {},
        "adservice": {},
    },
)

VOTING_APP = App(
    spec="voting-app.yaml",
    # No container reads a peer address from its environment.
    variables={"vote": {}, "result": {}, "worker": {}, "redis": {}, "db": {}},
    hosts=[
        ("vote", "redis", 6379),    # vote/app.py: Redis(host="redis", db=0, socket_timeout=5)
        ("worker", "redis", 6379),  # worker/Program.cs: OpenRedisConnection("redis")
        ("worker", "db", 5432),     # worker/Program.cs: OpenDbConnection("Server=db;Username=postgres;...")
        ("result", "db", 5432),     # result/server.js: connectionString: 'postgres://postgres:postgres@db/postgres'
    ],
)

SOCK_SHOP = App(
    spec="sock-shop.yaml",
    variables={
        "user": {
            # user db/mongodb/mongodb.go: flag.StringVar(&host, "mongo-host", os.Getenv("MONGO_HOST"), "Mongo host")
            "MONGO_HOST": "user-db:27017",
        },
        "front-end": {},
        "catalogue": {},
        "catalogue-db": {},
        "carts": {},
        "carts-db": {},
        "orders": {},
        "orders-db": {},
        "payment": {},
        "shipping": {},
        "queue-master": {},
        "rabbitmq": {},
        "session-db": {},
        "user-db": {},
    },
    hosts=[
        ("front-end", "catalogue", 80),     # front-end api/endpoints.js: util.format("http://catalogue%s", domain)
        ("front-end", "carts", 80),         # front-end api/endpoints.js: util.format("http://carts%s/carts", domain)
        ("front-end", "orders", 80),        # front-end api/endpoints.js: util.format("http://orders%s", domain)
        ("front-end", "user", 80),          # front-end api/endpoints.js: util.format("http://user%s/customers", domain)
        ("front-end", "session-db", 6379),  # front-end config.js: new RedisStore({host: "session-db"})
        # catalogue cmd/cataloguesvc/main.go: flag.String("DSN", "...@tcp(catalogue-db:3306)/socksdb", ...)
        ("catalogue", "catalogue-db", 3306),
        ("carts", "carts-db", 27017),       # carts application.properties: mongodb://${db:carts-db}:27017/data
        ("orders", "orders-db", 27017),     # orders application.properties: mongodb://${db:orders-db}:27017/data
        ("orders", "payment", 80),          # orders OrdersConfigurationProperties.java: new Hostname("payment")
        ("orders", "shipping", 80),         # orders OrdersConfigurationProperties.java: new Hostname("shipping")
        ("orders", "carts", 80),            # orders OrdersController.java: GET item.items (http://carts/carts/...)
        ("orders", "user", 80),             # orders OrdersController.java: GET item.customer (user links.go: http://user/...)
        ("shipping", "rabbitmq", 5672),     # shipping application.properties: spring.rabbitmq.host=rabbitmq
        ("queue-master", "rabbitmq", 5672),  # queue-master application.properties: spring.rabbitmq.host=rabbitmq
    ],
)

APPS = {app.spec.removesuffix(".yaml"): app for app in (ONLINE_BOUTIQUE, VOTING_APP, SOCK_SHOP)}




def _text(value: Any) -> str:
    """A variable's value as text: a template parameter or resource as `${Name}`."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Ref" in value:
        return "${" + value["Ref"] + "}"
    if isinstance(value, dict) and "Fn::Join" in value:
        sep, parts = value["Fn::Join"]
        return str(sep).join(_text(p) for p in parts)
    if isinstance(value, dict) and isinstance(value.get("Fn::Sub"), str):
        return str(value["Fn::Sub"])
    raise AssertionError(f"unexpected variable value {value!r}")


class Template:
    def __init__(self, path: Path) -> None:
        self.data = load_template(path.read_text())
        self.resources: dict[str, Any] = self.data["Resources"]

    def of_type(self, kind: str) -> dict[str, Any]:
        return {k: v for k, v in self.resources.items() if v["Type"] == kind}

    def task_definition(self, service: str) -> tuple[str, dict[str, Any]]:
        """The task definition whose container is named after the service."""
        found = [(k, v) for k, v in self.of_type("AWS::ECS::TaskDefinition").items()
                 if [c["Name"] for c in v["Properties"]["ContainerDefinitions"]][:1] == [service]]
        assert len(found) == 1, f"one task definition for {service}, found {[k for k, _ in found]}"
        return found[0]

    def container(self, service: str) -> dict[str, Any]:
        container: dict[str, Any] = self.task_definition(service)[1]["Properties"]["ContainerDefinitions"][0]
        return container

    def service(self, service: str) -> tuple[str, dict[str, Any]]:
        task_id = self.task_definition(service)[0]
        found = [(k, v) for k, v in self.of_type("AWS::ECS::Service").items()
                 if v["Properties"]["TaskDefinition"] == {"Ref": task_id}]
        assert len(found) == 1, f"one ECS service for {service}"
        return found[0]

    def security_group(self, service: str) -> Any:
        (group,) = self.service(service)[1]["Properties"]["NetworkConfiguration"]["AwsvpcConfiguration"][
            "SecurityGroups"]
        return group

    def answering(self, host: str, port: int) -> list[tuple[str, str]]:
        """(container name, port name) of every Service Connect service with this client alias."""
        out = []
        for svc in self.of_type("AWS::ECS::Service").values():
            config = svc["Properties"].get("ServiceConnectConfiguration", {})
            for entry in config.get("Services", []):
                for alias in entry.get("ClientAliases", []):
                    if alias["DnsName"] == host and alias["Port"] == port:
                        task_id = svc["Properties"]["TaskDefinition"]["Ref"]
                        name = self.resources[task_id]["Properties"]["ContainerDefinitions"][0]["Name"]
                        out.append((name, entry["PortName"]))
        return out


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Result, Template | None]]:
    out: dict[str, tuple[Result, Template | None]] = {}
    for name, app in APPS.items():
        result = build([str(ROOT / "examples" / app.spec)], tmp_path_factory.mktemp(name))
        out[name] = (result, Template(result.written[0]) if result.ok and result.written else None)
    return out


def _spec(app: App) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "examples" / app.spec).read_text())
    return data


def _template(built: dict[str, tuple[Result, Template | None]], name: str) -> Template:
    result, template = built[name]
    assert template is not None, "\n".join(d.render() for d in result.diagnostics)
    return template


@pytest.mark.slow
@pytest.mark.parametrize("name", APPS)
def test_builds_lint_clean(name: str, built: dict[str, tuple[Result, Template | None]]) -> None:
    result, _ = built[name]
    assert result.ok, "\n".join(d.render() for d in result.diagnostics)
    assert len(result.written) == 1
    unexpected = [d.render() for d in result.diagnostics if d.code not in APPS[name].accepted_warnings]
    assert unexpected == [], "no warnings and no cfn-lint findings (SCC901/SCC902)"


@pytest.mark.parametrize("name", APPS)
def test_table_covers_every_container(name: str) -> None:
    app = APPS[name]
    assert sorted(app.variables) == sorted(_spec(app)["services"])


@pytest.mark.parametrize("name", APPS)
def test_every_container_gets_exactly_the_peer_variables_its_code_reads(
        name: str, built: dict[str, tuple[Result, Template | None]]) -> None:
    app, template = APPS[name], _template(built, name)
    spec = _spec(app)
    for service, expected in app.variables.items():
        # What the spec sets itself (PORT, JAVA_OPTS, ...) is not a peer variable.
        own = set(spec["services"][service].get("environment", {})) | set(
            spec.get("defaults", {}).get("environment", {}))
        env = {e["Name"]: _text(e["Value"]) for e in template.container(service).get("Environment", [])}
        peers = {k: v for k, v in env.items() if k not in own}
        assert peers == expected, f"{service}: peer variables"


@pytest.mark.parametrize("name", APPS)
def test_every_peer_variable_names_an_endpoint_service_connect_answers(
        name: str, built: dict[str, tuple[Result, Template | None]]) -> None:
    template = _template(built, name)
    for service, expected in APPS[name].variables.items():
        for variable, value in expected.items():
            if value.startswith("${"):
                param = value[2:value.index("}")]
                assert param in template.data.get("Parameters", {}), f"{service} {variable}: parameter {param}"
                continue
            endpoint = re.fullmatch(r"(?:https?://)?([a-z0-9-]+):(\d+)", value)
            assert endpoint, f"{service} {variable}={value}: an address"
            host, port = endpoint.groups()
            assert len(template.answering(host, int(port))) == 1, f"{service} {variable}={value}: no client alias"


@pytest.mark.parametrize("name", [n for n, a in APPS.items() if a.hosts])
def test_hard_coded_host_names_resolve_through_service_connect(
        name: str, built: dict[str, tuple[Result, Template | None]]) -> None:
    template = _template(built, name)
    namespace = {sid: svc["Properties"].get("ServiceConnectConfiguration", {})
                 for sid, svc in template.of_type("AWS::ECS::Service").items()}
    for caller, host, port in APPS[name].hosts:
        answering = template.answering(host, port)
        assert len(answering) == 1, f"{caller} dials {host}:{port}: {answering or 'no ClientAlias'}"
        (callee, port_name), = answering
        # The caller's proxy resolves the alias: the caller uses Service Connect in the same namespace.
        caller_id, caller_svc = template.service(caller)
        callee_id, _ = template.service(callee)
        assert namespace[caller_id].get("Enabled") is True, f"{caller}: Service Connect on"
        assert namespace[caller_id]["Namespace"] == namespace[callee_id]["Namespace"]
        # The callee's group accepts the caller on the container port behind the alias.
        (mapping,) = [m for m in template.container(callee)["PortMappings"] if m["Name"] == port_name]
        rules = [r["Properties"] for r in template.of_type("AWS::EC2::SecurityGroupIngress").values()
                 if r["Properties"]["GroupId"] == template.security_group(callee)
                 and r["Properties"].get("SourceSecurityGroupId") == template.security_group(caller)]
        assert [(r["FromPort"], r["ToPort"]) for r in rules] == [(mapping["ContainerPort"],) * 2], \
            f"{caller} -> {callee}: one ingress rule on {mapping['ContainerPort']}"
        # Created after what it calls, and its task definition records the endpoint.
        assert callee_id in caller_svc.get("DependsOn", []), f"{caller} DependsOn {callee}"
        labels = template.container(caller).get("DockerLabels", {})
        assert f"{host}:{port}" in re.split(r"[,=\s]+", labels.get("scc.calls", "")), \
            f"{caller}: scc.calls records {host}:{port}"


def _walk(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], Any]]:
    out = [(path, value)]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _walk(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _walk(v, (*path, i))
    return out


@pytest.mark.parametrize("name", APPS)
def test_spec_has_no_alias_and_no_peer_address_in_environment(name: str) -> None:
    app, spec = APPS[name], _spec(APPS[name])
    nodes = _walk(spec)
    assert [p for p, _ in nodes if p and p[-1] == "alias"] == [], "no `alias` anywhere"
    peers = {v for table in app.variables.values() for v in table}
    targets = set(spec["services"]) | set(spec.get("external", {}))
    host = re.compile(r"(?<![\w.-])(" + "|".join(map(re.escape, sorted(targets, key=len, reverse=True)))
                      + r")(:\d+)?(?![\w.-])")
    for path, env in nodes:
        if not (path and path[-1] == "environment" and isinstance(env, dict)):
            continue
        for key, value in env.items():
            assert key not in peers, f"{'.'.join(map(str, path))}.{key}: a peer variable belongs in `calls`"
            assert not host.search(str(value)), f"{'.'.join(map(str, path))}.{key}={value!r} names a peer"
