"""SES receiving for the List-Unsubscribe mailto (marketing/email/mailto.py): a receipt rule for
every address at the unsubscribe mail domain stores the raw email in a private bucket under
`unsubscribe/` (expired after 7 days); the bucket notifies the inbound-unsubscribes queue, whose
worker unsubscribes the recipient the address names.

Receiving runs in the stack's region: SES receives mail in some regions only (docs/deploy.md),
and the rule set is made the account's active one there (an account has one active rule set per
region). The domain's MX record (`inbound-smtp.<region>.amazonaws.com`) is published by hand and
named in the stack's outputs."""

from __future__ import annotations

from aws_cdk import CfnOutput, Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from aws_cdk import aws_ses as ses
from aws_cdk import aws_ses_actions as ses_actions
from aws_cdk import aws_sqs as sqs
from aws_cdk import custom_resources as cr
from constructs import Construct

from infra.constructs.buckets import private_bucket
from infra.nag import acknowledge
from marketing.catalog.topology import INBOUND_UNSUBSCRIBE_PREFIX

STORED_DAYS = 7


class InboundMail(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, domain: str, queue: sqs.IQueue, activate: bool = True):
        super().__init__(scope, construct_id)
        self.domain = domain
        self.bucket = private_bucket(
            self,
            "Bucket",
            # Emails hold addresses and whatever their senders wrote: kept only until handled and checked.
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(STORED_DAYS))],
            removal_policy=RemovalPolicy.DESTROY,
            auto_delete_objects=False,
        )
        acknowledge(
            self.bucket,
            "AwsSolutions-S1",
            "Only SES writes here (a bucket policy scoped to this account's receipt rules), and objects expire "
            "after 7 days; access logs would keep who-wrote-what records of personal data longer than the data.",
        )
        self.bucket.add_event_notification(
            s3.EventType.OBJECT_CREATED,
            s3n.SqsDestination(queue),
            s3.NotificationKeyFilter(prefix=INBOUND_UNSUBSCRIBE_PREFIX),
        )
        self.rule_set = ses.ReceiptRuleSet(self, "RuleSet")
        self.rule_set.add_rule(
            "Unsubscribes",
            recipients=[domain],  # every address at the domain: the local part is the signed token
            actions=[ses_actions.S3(bucket=self.bucket, object_key_prefix=INBOUND_UNSUBSCRIBE_PREFIX)],
            scan_enabled=True,  # SES's spam and virus verdicts are recorded in the stored email's headers
            tls_policy=ses.TlsPolicy.OPTIONAL,
        )
        if activate:
            self._activate()
        CfnOutput(
            self,
            "UnsubscribeMailMx",
            value=f"{domain} MX 10 inbound-smtp.{Stack.of(self).region}.amazonaws.com",
            description="Publish this MX record so the List-Unsubscribe mailto reaches SES (docs/deploy.md)",
        )

    def _activate(self) -> None:
        """Makes the rule set the region's active one (CloudFormation cannot); deactivates it on delete."""
        name = self.rule_set.receipt_rule_set_name
        cr.AwsCustomResource(
            self,
            "ActivateRuleSet",
            on_create=cr.AwsSdkCall(
                service="SES",
                action="SetActiveReceiptRuleSet",
                parameters={"RuleSetName": name},
                physical_resource_id=cr.PhysicalResourceId.of(f"{name}-active"),
            ),
            on_update=cr.AwsSdkCall(
                service="SES",
                action="SetActiveReceiptRuleSet",
                parameters={"RuleSetName": name},
                physical_resource_id=cr.PhysicalResourceId.of(f"{name}-active"),
            ),
            on_delete=cr.AwsSdkCall(service="SES", action="SetActiveReceiptRuleSet", parameters={}),
            # SetActiveReceiptRuleSet has no resource-level permission (acknowledged stack-wide).
            policy=cr.AwsCustomResourcePolicy.from_statements(
                [iam.PolicyStatement(actions=["ses:SetActiveReceiptRuleSet"], resources=["*"])]
            ),
            install_latest_aws_sdk=False,
        )

    def grant_read(self, function: lambda_.Function) -> None:
        """GetObject on the stored emails only, rather than CDK's grant_read with its wildcard actions."""
        function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject"],
                resources=[self.bucket.arn_for_objects(f"{INBOUND_UNSUBSCRIBE_PREFIX}*")],
            )
        )
        stack = Stack.of(self.bucket)
        logical_id = stack.resolve(stack.get_logical_id(self.bucket.node.default_child))
        acknowledge(
            function,
            f"AwsSolutions-IAM5[Resource::<{logical_id}.Arn>/{INBOUND_UNSUBSCRIBE_PREFIX}*]",
            "Each stored email has a key of its own (SES's message id); the grant covers only the "
            "unsubscribe/ prefix of this one bucket.",
        )
