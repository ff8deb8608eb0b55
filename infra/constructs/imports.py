"""The bucket contact CSVs are uploaded to (through pre-signed URLs); each upload under
`imports/` notifies the contact-imports queue.

The staff console's browser PUTs the file straight to the bucket's regional origin, the host of the
URLs the API pre-signs (marketing/aws/clients.py). The bucket's CORS rule for that is set by an API
call after the console's distribution exists, not as the bucket's `CorsConfiguration` property: that
property would name the distribution, whose Content-Security-Policy names the bucket (connect-src),
and CloudFormation cannot create two resources that each need the other's name first (as for the
API's CORS, infra/constructs/api_cors.py)."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from aws_cdk import aws_sqs as sqs
from aws_cdk import custom_resources as cr
from constructs import Construct

from infra.constructs.buckets import private_bucket
from infra.nag import acknowledge
from marketing.catalog.topology import IMPORTS_PREFIX

# What the console's upload sends that a CORS preflight asks about: the file's type (text/csv is not
# one of the types a browser sends without asking). The URL carries its signature, date, credentials
# and session token in its query string, so no signing header is needed.
UPLOAD_HEADERS = ("content-type",)
PREFLIGHT_MAX_AGE_SECONDS = 3000
CORS_RULE_ID = "console-uploads"


def cors_configuration(origins: list[str]) -> dict:
    """The bucket's CORS configuration (S3's PutBucketCors input): PUT from the console's origins."""
    return {
        "CORSRules": [
            {
                "ID": CORS_RULE_ID,
                "AllowedOrigins": origins,
                "AllowedMethods": ["PUT"],
                "AllowedHeaders": list(UPLOAD_HEADERS),
                "MaxAgeSeconds": PREFLIGHT_MAX_AGE_SECONDS,
            }
        ]
    }


class ImportsBucket(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, uploads_queue: sqs.IQueue):
        super().__init__(scope, construct_id)
        self.bucket = private_bucket(
            self,
            "Bucket",
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

    @property
    def uploads_origin(self) -> str:
        """Where pre-signed upload URLs point: `https://<bucket>.s3.<region>.amazonaws.com`."""
        return f"https://{self.bucket.bucket_regional_domain_name}"

    def allow_uploads_from(self, origins: list[str]) -> None:
        """Lets browsers on `origins` PUT files to the bucket (with a pre-signed URL: CORS grants no
        access, it only lets the browser send the request and read the answer)."""
        bucket = self.bucket
        set_cors = cr.AwsSdkCall(
            service="S3",
            action="PutBucketCors",
            parameters={"Bucket": bucket.bucket_name, "CORSConfiguration": cors_configuration(origins)},
            physical_resource_id=cr.PhysicalResourceId.of(f"{bucket.bucket_name}-cors"),
        )
        cr.AwsCustomResource(
            self,
            "UploadCors",
            on_create=set_cors,
            on_update=set_cors,
            # The console gone, so is its access; a deleted bucket has nothing left to clear.
            on_delete=cr.AwsSdkCall(
                service="S3",
                action="DeleteBucketCors",
                parameters={"Bucket": bucket.bucket_name},
                ignore_error_codes_matching="NoSuchBucket",
            ),
            # S3 authorizes DeleteBucketCors with s3:PutBucketCORS too; on this bucket only.
            policy=cr.AwsCustomResourcePolicy.from_statements(
                [iam.PolicyStatement(actions=["s3:PutBucketCORS"], resources=[bucket.bucket_arn])]
            ),
            install_latest_aws_sdk=False,  # the runtime's SDK has both calls; no download at deploy time
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
