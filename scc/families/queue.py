"""Family queue: a queue worker's SQS queue (encrypted) and its dead-letter queue, the policy that
lets exactly the subscribed SNS topics send to it, the subscriptions, and the queue's URL as an
output. The rights to use it are the task roles' (scc/families/iam.py): receive and delete for
the worker, send for its callers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from troposphere import GetAtt, Output, Ref, sns, sqs

from scc.families.family import Emitted, Family
from scc.model import Queue
from scc.naming import Ids
from scc.plan import Plan, ServicePlan

DAY = 86400
# A dead letter waits for someone to look at it: the longest SQS keeps a message.
DEAD_LETTER_RETENTION = 14 * DAY


def _encryption(queue: Queue) -> dict[str, Any]:
    return {"KmsMasterKeyId": queue.kms_key} if queue.kms_key else {"SqsManagedSseEnabled": True}


def _queue(plan: Plan, sp: ServicePlan) -> Iterator[Emitted]:
    svc = sp.service
    queue = svc.queue
    if queue is None:
        return
    ids, where = Ids(svc.name), svc.at("queue")
    main = sqs.Queue(ids.queue, VisibilityTimeout=queue.visibility_timeout,
                     MessageRetentionPeriod=queue.retention_days * DAY, **_encryption(queue))
    if queue.max_receives is not None:
        yield Emitted(sqs.Queue(ids.dead_letter_queue, MessageRetentionPeriod=DEAD_LETTER_RETENTION,
                                **_encryption(queue)), (*where, "deadLetter"), svc.name)
        main.RedrivePolicy = sqs.RedrivePolicy(deadLetterTargetArn=GetAtt(ids.dead_letter_queue, "Arn"),
                                               maxReceiveCount=queue.max_receives)
    yield Emitted(main, where, svc.name)
    if queue.subscribe:
        yield Emitted(sqs.QueuePolicy(ids.queue_policy, Queues=[Ref(ids.queue)], PolicyDocument={
            "Version": "2012-10-17",
            "Statement": [{"Sid": "SubscribedTopics", "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
                           "Action": "sqs:SendMessage", "Resource": GetAtt(ids.queue, "Arn"),
                           "Condition": {"ArnEquals": {"aws:SourceArn": list(queue.subscribe)}}}],
        }), (*where, "subscribe"), svc.name)
        for n, topic in enumerate(queue.subscribe, start=1):
            subscription = sns.SubscriptionResource(
                ids.subscription(n), TopicArn=topic, Protocol="sqs", Endpoint=GetAtt(ids.queue, "Arn"),
                # The message as published, not wrapped in SNS's JSON envelope.
                RawMessageDelivery=True,
                # The topic's region, from its ARN: a topic elsewhere is subscribed where it is.
                Region=topic.split(":")[3])
            subscription.DependsOn = [ids.queue_policy]  # SNS delivers only once the queue lets it
            yield Emitted(subscription, (*where, "subscribe", n - 1), svc.name)
    yield Emitted(Output(f"{ids.base}QueueUrl", Description=f"Queue of {svc.name}", Value=Ref(ids.queue)),
                  where, svc.name)


FAMILY = Family("queue", service=_queue)
