"""Sending email: the SES configuration set whose events come back through EventBridge (SES
publishes only to the default bus), the scheduler group and role for scheduled campaigns, and
the grants to send and to schedule."""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_ses as ses
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.nag import acknowledge
from marketing.catalog.topology import SES_EVENT_TYPES


class EmailSending(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        sender_address: str,
        send_queue: sqs.IQueue,
        transactional_sender_address: str | None = None,
    ):
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        self.sender_address = sender_address
        # Lower case, as addresses are saved: IAM compares ses:FromAddress and ARNs case-sensitively.
        local_part, _, domain = sender_address.rpartition("@")
        self.sender_domain = domain.lower()
        if not local_part or not self.sender_domain:  # send permissions are scoped to its domain
            raise ValueError(f"senderAddress must be an email address, not {sender_address!r}")
        self.transactional_sender_address = transactional_sender_address
        if transactional_sender_address is not None:
            local_part, _, domain = transactional_sender_address.rpartition("@")
            if not local_part or domain.lower() != self.sender_domain:  # the one domain sends are granted
                raise ValueError(
                    f"transactionalSenderAddress must be an address on the sender's domain, {self.sender_domain}, "
                    f"not {transactional_sender_address!r}"
                )
        self.configuration_set = ses.CfnConfigurationSet(
            self,
            "ConfigurationSet",
            reputation_options=ses.CfnConfigurationSet.ReputationOptionsProperty(reputation_metrics_enabled=True),
        )
        ses.CfnConfigurationSetEventDestination(
            self,
            "EventsToEventBridge",
            configuration_set_name=self.configuration_set.ref,
            event_destination=ses.CfnConfigurationSetEventDestination.EventDestinationProperty(
                enabled=True,
                matching_event_types=[name.lower() for name in SES_EVENT_TYPES],
                event_bridge_destination=ses.CfnConfigurationSetEventDestination.EventBridgeDestinationProperty(
                    event_bus_arn=stack.format_arn(service="events", resource="event-bus", resource_name="default")
                ),
            ),
        )
        self.schedule_group = scheduler.CfnScheduleGroup(self, "CampaignSchedules")
        self.scheduler_role = iam.Role(
            self,
            "SchedulerRole",
            assumed_by=iam.ServicePrincipal("scheduler.amazonaws.com"),
            description="EventBridge Scheduler puts scheduled campaign sends on the send queue",
        )
        send_queue.grant_send_messages(self.scheduler_role)
        self._send_queue = send_queue

    def environment(self) -> dict[str, str]:
        transactional = self.transactional_sender_address
        return {
            "SENDER_ADDRESS": self.sender_address,
            **({"TRANSACTIONAL_SENDER_ADDRESS": transactional} if transactional else {}),
            "SES_CONFIGURATION_SET": self.configuration_set.ref,
            "CAMPAIGN_SCHEDULE_GROUP": self.schedule_group.ref,
            "SCHEDULER_ROLE_ARN": self.scheduler_role.role_arn,
            "CAMPAIGN_SENDS_QUEUE_ARN": self._send_queue.queue_arn,
        }

    def grant_send(self, function: lambda_.IFunction) -> None:
        """Sending only From an address on the sender's domain, through the configuration set: not
        from whatever other identities the account has verified."""
        stack = Stack.of(self)
        configuration_set = stack.format_arn(
            service="ses", resource="configuration-set", resource_name=self.configuration_set.ref
        )
        function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["ses:SendEmail", "ses:SendRawEmail"],
                resources=[*self._sender_identities(function), configuration_set],
                conditions={"StringLike": {"ses:FromAddress": f"*@{self.sender_domain}"}},
            )
        )

    def grant_identity_checks(self, function: lambda_.IFunction) -> None:
        """Whether a From address is on a verified identity: From addresses are held to the sender's
        domain (EmailSettings.refuse_foreign_sender), so only its identities are asked about."""
        function.add_to_role_policy(
            iam.PolicyStatement(actions=["ses:GetEmailIdentity"], resources=self._sender_identities(function))
        )

    def grant_send_quota(self, function: lambda_.IFunction) -> None:
        """The account's send rate, which paced senders share (no resource-level permission)."""
        function.add_to_role_policy(iam.PolicyStatement(actions=["ses:GetSendQuota"], resources=["*"]))

    def _sender_identities(self, function: lambda_.IFunction) -> list[str]:
        """The identities a From address on the sender's domain is authorized by: SES uses the most
        specific verified one, the address's own or its domain's."""
        stack = Stack.of(self)
        domain = self.sender_domain
        acknowledge(
            function,
            f"AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/*@{domain}]",
            "Campaigns name their From address, on the sender's domain (the ses:FromAddress condition "
            "holds them to it); an address there may be verified as an identity of its own.",
        )
        return [
            stack.format_arn(service="ses", resource="identity", resource_name=domain),
            stack.format_arn(service="ses", resource="identity", resource_name=f"*@{domain}"),
        ]

    def grant_schedule(self, function: lambda_.IFunction) -> None:
        stack = Stack.of(self)
        function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["scheduler:CreateSchedule", "scheduler:UpdateSchedule", "scheduler:DeleteSchedule"],
                resources=[
                    stack.format_arn(
                        service="scheduler", resource="schedule", resource_name=f"{self.schedule_group.ref}/*"
                    )
                ],
            )
        )
        self.scheduler_role.grant_pass_role(function.grant_principal)
        group = stack.resolve(stack.get_logical_id(self.schedule_group))
        acknowledge(
            function,
            "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:"
            f"schedule/<{group}>/*]",
            "One schedule per campaign, created and deleted as campaigns are scheduled: scoped to the "
            "platform's group.",
        )
