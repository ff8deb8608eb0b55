"""The shop's event bus and its rules, and every queue with its dead-letter queue, from the
catalog in marketing.catalog.topology (local mode creates the same on moto)."""

from __future__ import annotations

from aws_cdk import CfnOutput, Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.naming import pascal_case
from marketing.catalog.topology import EVENT_BUS_ENV, EVENT_RULES, QUEUES, Queue


class Messaging(Construct):
    def __init__(self, scope: Construct, construct_id: str):
        super().__init__(scope, construct_id)
        self.queues: dict[Queue, sqs.Queue] = {}
        self.dead_letter_queues: dict[Queue, sqs.Queue] = {}
        for queue in QUEUES:
            name = pascal_case(queue.name)
            dead_letters = sqs.Queue(
                self,
                f"{name}Dlq",
                retention_period=Duration.days(14),
                encryption=sqs.QueueEncryption.SQS_MANAGED,
                enforce_ssl=True,
            )
            self.dead_letter_queues[queue] = dead_letters
            self.queues[queue] = sqs.Queue(
                self,
                f"{name}Queue",
                visibility_timeout=Duration.seconds(queue.visibility_timeout_seconds),
                retention_period=Duration.days(4),
                encryption=sqs.QueueEncryption.SQS_MANAGED,
                enforce_ssl=True,
                dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=queue.max_receive_count, queue=dead_letters),
            )

        self.bus = events.EventBus(self, "ShopEvents", description="The shop's and CRM's events (source shop)")
        CfnOutput(self, "ShopEventBusName", value=self.bus.event_bus_name, description="Publish shop events here")
        default_bus = events.EventBus.from_event_bus_name(self, "DefaultBus", "default")
        for rule in EVENT_RULES:
            events.Rule(
                self,
                f"{pascal_case(rule.name)}Rule",
                event_bus=default_bus if rule.on_default_bus else self.bus,
                event_pattern=events.EventPattern(source=[rule.source], detail_type=list(rule.detail_types)),
                targets=[
                    # Events EventBridge cannot deliver (queue gone, policy broken) land here, not nowhere.
                    targets.SqsQueue(self.queues[rule.queue], dead_letter_queue=self.dead_letter_queues[rule.queue])
                ],
            )

    def environment(self) -> dict[str, str]:
        """What functions are told about the queues and the bus."""
        environment = {EVENT_BUS_ENV: self.bus.event_bus_name}
        for queue in QUEUES:
            environment[queue.env_var] = self.queues[queue].queue_url
            environment[queue.dlq_env_var] = self.dead_letter_queues[queue].queue_url
        return environment
