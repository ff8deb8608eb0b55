"""The SQS workers and the scheduled functions of marketing.catalog.topology: one function each, fed by
its queue (partial batch failures on) or fired by its EventBridge schedule, and granted what its
entry's `Uses` declares (grants.py)."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from constructs import Construct

from infra.constructs.function import PlatformFunction
from infra.constructs.grants import Grants
from infra.constructs.messaging import Messaging
from infra.naming import pascal_case
from marketing.catalog.topology import SCHEDULES, WORKERS


class Workers(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        layer: lambda_.ILayerVersion,
        messaging: Messaging,
        grants: Grants,
        environment: dict[str, str],
    ):
        super().__init__(scope, construct_id)
        self.functions: dict[str, lambda_.Function] = {}
        for worker in WORKERS:
            function = self._function(worker.name, worker.handler, worker.timeout_seconds, layer, environment)
            grants.grant(function, worker.uses)
            queue = messaging.queues[worker.queue]
            function.add_event_source(
                sources.SqsEventSource(
                    queue,
                    batch_size=worker.batch_size,
                    report_batch_item_failures=True,
                    max_concurrency=worker.max_concurrency,
                    max_batching_window=(
                        Duration.seconds(worker.batching_window_seconds) if worker.batching_window_seconds else None
                    ),
                )
            )
            messaging.dead_letter_queues[worker.queue].grant_send_messages(function)  # unprocessable messages
        for schedule in SCHEDULES:
            function = self._function(
                schedule.name + "-schedule", schedule.handler, schedule.timeout_seconds, layer, environment
            )
            grants.grant(function, schedule.uses)
            events.Rule(
                self,
                f"{pascal_case(schedule.name)}ScheduleRule",
                schedule=events.Schedule.expression(f"cron({schedule.cron})"),
                targets=[targets.LambdaFunction(function, retry_attempts=2)],
            )

    def _function(
        self,
        name: str,
        handler: str,
        timeout_seconds: int,
        layer: lambda_.ILayerVersion,
        environment: dict[str, str],
    ) -> lambda_.Function:
        function = PlatformFunction(
            self,
            pascal_case(name),
            service=name,
            handler=handler,
            layer=layer,
            environment=environment,
            timeout_seconds=timeout_seconds,
        ).function
        self.functions[name] = function
        return function
