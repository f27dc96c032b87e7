"""Facts both importers read: scc names from other tools' names, durations, the Fargate size
that holds a container and the Service Connect proxy, and the ports well-known images listen on."""

from __future__ import annotations

import re

from scc.limits import FARGATE_MEMORY, PROXY_CPU, PROXY_MEMORY, fargate_memory

NAME = re.compile(r"[a-z][a-z0-9-]{0,30}")


def scc_name(text: str, fallback: str = "app") -> str:
    """`hotel_Reserv.v2` -> `hotel-reserv-v2`: the name pattern services, jobs and the app share."""
    out = re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")
    out = re.sub(r"-{2,}", "-", out)
    if not out or not out[0].isalpha():
        out = f"{fallback}-{out}".rstrip("-") if out else fallback
    return out[:31].rstrip("-")


_UNITS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}
_PART = re.compile(r"(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)")


def seconds(value: object) -> float | None:
    """A Go duration as Compose and Copilot write it (`1m30s`, `10s`, `500ms`), or a number of
    seconds; None when it is neither."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    text = str(value).strip()
    if not text or _PART.sub("", text) != "":
        return None
    return sum(float(n) * _UNITS[u] for n, u in _PART.findall(text))


def bytes_of(value: object) -> int | None:
    """`512M`, `1.5g`, `1gb`, `268435456` -> bytes (Compose's byte values)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*", str(value).lower())
    if not m:
        return None
    return int(float(m.group(1)) * 1024 ** " kmgt".index(m.group(2) or " "))


def fargate_size(cpu: int, memory: int) -> tuple[int, int]:
    """The smallest Fargate size with at least `cpu` units and `memory` MiB (the largest when none is)."""
    for size in sorted(FARGATE_MEMORY):
        if size < cpu:
            continue
        fitting = [m for m in fargate_memory(size) if m >= memory]
        if fitting:
            return size, fitting[0]
    top = max(FARGATE_MEMORY)
    return top, fargate_memory(top)[-1]


def task_for_container(cpu: int, memory: int) -> tuple[int, int]:
    """The Fargate size that holds a container of this size and the Service Connect proxy beside it."""
    return fargate_size(cpu + PROXY_CPU, memory + PROXY_MEMORY)


# What the official images of common servers listen on (their Dockerfiles' EXPOSE), for a service
# that a peer reaches while its Compose file names no port: the image's repository -> port.
IMAGE_PORTS = {
    "redis": 6379, "valkey": 6379, "postgres": 5432, "mysql": 3306, "mariadb": 3306, "mongo": 27017,
    "memcached": 11211, "rabbitmq": 5672, "nats": 4222, "elasticsearch": 9200, "opensearch": 9200,
    "cassandra": 9042, "consul": 8500, "zookeeper": 2181, "etcd": 2379, "nginx": 80, "httpd": 80,
}
# Ports that web servers and application frameworks listen on by convention: a published one of
# these is taken for HTTP (said in a comment).
HTTP_PORTS = {80, 3000, 4000, 5000, 8000, 8080, 8081, 8888, 9000}


def image_repository(image: str) -> str:
    """`docker.io/library/redis:7-alpine` -> `redis`; `bitnami/redis@sha256:...` -> `redis`."""
    base = image.split("@", 1)[0]
    last = base.rsplit("/", 1)[-1]
    return last.split(":", 1)[0].lower()


def image_port(image: str) -> int | None:
    repo = image_repository(image)
    return IMAGE_PORTS.get(repo) or next((p for name, p in IMAGE_PORTS.items() if repo.startswith(name + "-")), None)
