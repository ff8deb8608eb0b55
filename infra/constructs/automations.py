"""The automation state machine: its definition is the repository's file (local mode runs the same
one on moto), with the automation-sends queue's URL put in. Logs every event and traces with X-Ray."""

from __future__ import annotations

from aws_cdk import ArnFormat, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra.constructs.layer import REPO_ROOT
from infra.nag import acknowledge
from marketing.catalog.topology import AUTOMATION_STATE_MACHINE

# What each of AUTOMATION_CALLS needs: starting runs and answering their tasks act on the state
# machine, stopping and describing runs on its executions.
_ON_MACHINE = {"start": ("states:StartExecution",), "answer": ("states:SendTaskSuccess", "states:SendTaskFailure")}
_ON_EXECUTIONS = {"stop": ("states:StopExecution",), "describe": ("states:DescribeExecution",)}


class AutomationStateMachine(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, sends_queue: sqs.IQueue):
        super().__init__(scope, construct_id)
        machine = AUTOMATION_STATE_MACHINE
        self.log_group = logs.LogGroup(
            self,
            "Logs",
            log_group_name=f"/aws/vendedlogs/states/{Stack.of(self).stack_name}-{machine.name}",
            retention=logs.RetentionDays.ONE_MONTH,
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.state_machine = sfn.StateMachine(
            self,
            "StateMachine",
            # Inline (not an S3 asset), so the template shows the definition as the file has it.
            definition_body=sfn.DefinitionBody.from_string((REPO_ROOT / machine.definition_path).read_text()),
            definition_substitutions={machine.queue_url_placeholder: sends_queue.queue_url},
            state_machine_type=sfn.StateMachineType.STANDARD,  # waits of days: Express runs last 5 minutes
            logs=sfn.LogOptions(destination=self.log_group, level=sfn.LogLevel.ALL, include_execution_data=False),
            tracing_enabled=True,
        )
        sends_queue.grant_send_messages(self.state_machine)

    def environment(self) -> dict[str, str]:
        return {AUTOMATION_STATE_MACHINE.env_var: self.state_machine.state_machine_arn}

    def grant(self, function: lambda_.IFunction, calls: frozenset[str]) -> None:
        """What `calls` (of AUTOMATION_CALLS) need, on the state machine and on its executions."""
        on_machine = [action for call in sorted(calls) for action in _ON_MACHINE.get(call, ())]
        on_executions = [action for call in sorted(calls) for action in _ON_EXECUTIONS.get(call, ())]
        if on_machine:
            function.add_to_role_policy(
                iam.PolicyStatement(actions=on_machine, resources=[self.state_machine.state_machine_arn])
            )
        if on_executions:
            self._grant_on_executions(function, on_executions)

    def _grant_on_executions(self, function: lambda_.IFunction, actions: list[str]) -> None:
        stack = Stack.of(self)
        executions = stack.format_arn(
            service="states",
            resource="execution",
            resource_name=f"{self.state_machine.state_machine_name}:*",
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        function.add_to_role_policy(iam.PolicyStatement(actions=actions, resources=[executions]))
        machine_id = stack.resolve(stack.get_logical_id(self.state_machine.node.default_child))
        acknowledge(
            function,
            "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:"
            f"execution:<{machine_id}.Name>:*]",
            "Executions are named per run when they start; the grant covers only this state machine's executions.",
        )
