"""The bucket contact CSVs are uploaded to (through pre-signed URLs); each upload under
`imports/` notifies the contact-imports queue."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.nag import acknowledge
from marketing.catalog.topology import IMPORTS_PREFIX


class ImportsBucket(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, uploads_queue: sqs.IQueue):
        super().__init__(scope, construct_id)
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            # Uploaded lists hold personal data: kept only as long as an import can take and be checked.
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(7))],
            removal_policy=RemovalPolicy.DESTROY,
            auto_delete_objects=False,
        )
        self.bucket.add_event_notification(
            s3.EventType.OBJECT_CREATED,
            s3n.SqsDestination(uploads_queue),
            s3.NotificationKeyFilter(prefix=IMPORTS_PREFIX),
        )
        acknowledge(
            self.bucket,
            "AwsSolutions-S1",
            "Uploads arrive only through short-lived pre-signed URLs issued by the API (logged in its access "
            "logs) and expire after 7 days; server access logs would keep copies of who uploaded what longer "
            "than the data itself.",
        )

    def _grant(self, function: lambda_.Function, action: str) -> None:
        # One action on the uploads only, rather than CDK's grant_* with its wildcard action lists.
        function.add_to_role_policy(
            iam.PolicyStatement(actions=[action], resources=[self.bucket.arn_for_objects(f"{IMPORTS_PREFIX}*")])
        )
        stack = Stack.of(self.bucket)
        logical_id = stack.resolve(stack.get_logical_id(self.bucket.node.default_child))
        acknowledge(
            function,
            f"AwsSolutions-IAM5[Resource::<{logical_id}.Arn>/{IMPORTS_PREFIX}*]",
            "Upload keys are made per import; the grant covers only the imports/ prefix of this one bucket.",
        )

    def grant_upload(self, function: lambda_.Function) -> None:
        """Lets `function` sign upload URLs (a pre-signed PUT acts with its signer's rights)."""
        self._grant(function, "s3:PutObject")

    def grant_read_uploads(self, function: lambda_.Function) -> None:
        self._grant(function, "s3:GetObject")
