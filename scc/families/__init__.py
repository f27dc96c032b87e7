"""Stage families: the plan -> troposphere resources, one module per resource family. Pure: no
I/O, no user errors, nothing resolved again (the plan did it).

Each family module defines `FAMILY`, and the registry below lists them in the order their
resources appear in the template. A family emits `Emitted` items (a resource, parameter or
output, the spec path behind it and the service that owns it) from up to four hooks:
`app` (app-wide, first), `service` (per service, in spec order), `edges` (per service, after every
service's own resources: rules between services) and `finish` (app-wide, last). Adding a family is
one module and one line here.

Contract for families: refer to other resources with Ref, GetAtt or Join, never inside Fn::Sub
(Sub is for pseudo parameters such as ${AWS::StackName}), so that splitting into nested stacks
sees every reference."""

from __future__ import annotations

from scc.families import (
    alarms,
    discovery,
    external,
    iam,
    job,
    loadbalancer,
    logs,
    network,
    queue,
    scaling,
    service,
    shared,
    storage,
    task,
)
from scc.families.family import Emitted, Family

FAMILIES: tuple[Family, ...] = (
    shared.FAMILY,
    iam.TLS_FAMILY,
    loadbalancer.FAMILY,
    iam.LB_ROLE_FAMILY,
    discovery.FAMILY,
    queue.FAMILY,
    logs.FAMILY,
    iam.FAMILY,
    network.FAMILY,
    task.FAMILY,
    alarms.FAMILY,
    service.FAMILY,
    job.FAMILY,
    scaling.FAMILY,
    external.FAMILY,
    storage.FAMILY,
)

__all__ = ["FAMILIES", "Emitted", "Family"]
