"""CloudFormation's and Elastic Load Balancing's limits that scc plans around: their one home."""

from __future__ import annotations

# Per template (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html).
MAX_RESOURCES = 500
MAX_OUTPUTS = 200
MAX_PARAMETERS = 200  # a nested stack receives what it refers to in other stacks as parameters
MAX_BYTES = 1024 * 1024  # from S3; `aws cloudformation deploy --s3-bucket` uploads it there
# A template body passed directly (CreateStack's and UpdateStack's TemplateBody, what `aws
# cloudformation deploy` sends without --s3-bucket) holds at most 51,200 bytes: a larger one must
# be deployed from S3. Not an error: scc says so when it writes one.
MAX_DIRECT_BYTES = 51_200

# Per operation on a nested stack hierarchy: CloudFormation creates, updates or deletes at most
# 2,500 resources in one operation of a root stack and all its nested stacks (same quotas page,
# "Nested stacks"). scc counts every resource of the hierarchy, the stack resources included:
# the first create and a delete of the app act on all of them.
MAX_HIERARCHY_RESOURCES = 2500

# Room left under the template limits for what splitting into nested stacks adds itself.
MAX_CHILD_RESOURCES = 400

# An Application Load Balancer rule holds at most five condition values (not adjustable), and a
# listener at most 25 certificates besides its default one.
MAX_CONDITION_VALUES = 5
MAX_LISTENER_CERTIFICATES = 25

# What a task shares with what ECS adds to it: the Service Connect proxy needs about 256 CPU units
# and 64 MiB (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-connect-concepts.html),
# and a FireLens Fluent Bit container reserves 50 MiB in AWS's examples
# (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/firelens-example-taskdefs.html).
PROXY_CPU, PROXY_MEMORY = 256, 64
FIRELENS_MEMORY_RESERVATION = 50

# An ECS service registers with at most five target groups (ECS service quotas).
MAX_TARGET_GROUPS = 5

# SNS topics one queue subscribes to (the schema's maxItems): each subscription has an id.
MAX_SUBSCRIPTIONS = 10

# Fargate's task sizes: memory choices (MiB) for each cpu size, (low, high, step)
# (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size).
FARGATE_MEMORY = {
    256: (512, 2048, None),
    512: (1024, 4096, 1024),
    1024: (2048, 8192, 1024),
    2048: (4096, 16384, 1024),
    4096: (8192, 30720, 1024),
    8192: (16384, 61440, 4096),
    16384: (32768, 122880, 8192),
}


def fargate_memory(cpu: int) -> list[int]:
    low, high, step = FARGATE_MEMORY[cpu]
    if step is None:
        return [512, 1024, 2048]
    return list(range(low, high + 1, step))


def default_size(cpu: int | None, memory: int | None, proxy: bool) -> tuple[int, int]:
    """The task size for what the spec leaves out: the smallest Fargate size that holds what it
    gives, and at least 512 CPU units next to the Service Connect proxy (which takes about 256 of
    them: 256 in all would leave the application nothing). Memory defaults to the least its CPU
    size allows, so a `cpu` alone is always a valid size."""
    if cpu is None:
        sizes = sorted(FARGATE_MEMORY)
        fits = [c for c in sizes if memory is None or memory in fargate_memory(c)]
        cpu = next((c for c in fits if c >= (2 * PROXY_CPU if proxy else 256)), fits[0] if fits else 256)
    if memory is None:
        memory = fargate_memory(cpu)[0] if cpu in FARGATE_MEMORY else 512
    return cpu, memory
