"""The SQS workers and the scheduled functions of marketing.catalog.topology: one function each, fed by
its queue (partial batch failures on) or fired by its EventBridge schedule."""

from __future__ import annotations

from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from infra.constructs.automations import AutomationStateMachine
from infra.constructs.email import EmailSending
from infra.constructs.function import PlatformFunction
from infra.constructs.imports import ImportsBucket
from infra.constructs.messaging import Messaging
from infra.nag import acknowledge_index_access
from infra.naming import pascal_case
from marketing.catalog.topology import SCHEDULES, WORKERS


class Workers(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        layer: lambda_.ILayerVersion,
        tables: dict[str, dynamodb.Table],
        messaging: Messaging,
        imports: ImportsBucket,
        email: EmailSending,
        automations: AutomationStateMachine,
        token_secret: secretsmanager.ISecret,
        gift_card_secret: secretsmanager.ISecret,
        environment: dict[str, str],
    ):
        super().__init__(scope, construct_id)
        self.functions: dict[str, lambda_.Function] = {}
        for worker in WORKERS:
            function = self._function(worker.name, worker.handler, worker.timeout_seconds, layer, tables, environment)
            queue = messaging.queues[worker.queue]
            function.add_event_source(
                sources.SqsEventSource(
                    queue,
                    batch_size=worker.batch_size,
                    report_batch_item_failures=True,
                    max_concurrency=worker.max_concurrency,
                )
            )
            messaging.dead_letter_queues[worker.queue].grant_send_messages(function)  # unprocessable messages
            for target in worker.sends_to:
                messaging.queues[target].grant_send_messages(function)
            if worker.reads_imports:
                imports.grant_read_uploads(function)
            if worker.sends_email:
                email.grant_send(function)
                token_secret.grant_read(function)  # signs the links in each email
            if worker.issues_gift_cards:
                gift_card_secret.grant_read(function)
            if worker.runs_automations:
                automations.grant_run(function)
        for schedule in SCHEDULES:
            function = self._function(
                schedule.name + "-schedule", schedule.handler, schedule.timeout_seconds, layer, tables, environment
            )
            for target in schedule.sends_to:
                messaging.queues[target].grant_send_messages(function)
            if schedule.runs_automations:
                automations.grant_run(function)
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
        tables: dict[str, dynamodb.Table],
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
        for table in tables.values():
            table.grant_read_write_data(function)
            acknowledge_index_access(function, table)
        self.functions[name] = function
        return function
