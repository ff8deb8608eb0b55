"""The staff console in AWS: its built files (console/dist, `make console`) in a private bucket behind
CloudFront, under /console/ as the app is built; the security headers every response carries; and
the deployment of the files with the configuration the console reads at start (/console/config.json).

The bucket is reached only through CloudFront's origin access control. A CloudFront Function gives
the single-page app's deep links its index page (infra/cloudfront/console_viewer_request.js)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aws_cdk import Annotations, DefaultStackSynthesizer, Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct

from infra.constructs.buckets import private_bucket
from infra.nag import acknowledge

CONSOLE_PATH = "/console/"  # Vite's `base` (console/vite.config.ts); local mode serves it there too
KEY_PREFIX = CONSOLE_PATH.lstrip("/")
ASSETS_DIR = "assets"  # Vite's output for files named by their content's hash
BOOTSTRAP_QUALIFIER = "@aws-cdk/core:bootstrapQualifier"  # names CDK's asset bucket, which deployments read
VIEWER_REQUEST_CODE = Path(__file__).resolve().parents[1] / "cloudfront" / "console_viewer_request.js"
NOT_BUILT_PAGE = """<!doctype html><html lang="en"><meta charset="utf-8"><title>Console not built</title>
<h1>The staff console was not built</h1>
<p>This stack was deployed from a clone without <code>console/dist</code>. Run <code>make console</code>,
then deploy again.</p></html>
"""


def content_security_policy(*, api_origin: str, region: str, sign_in_origin: str, uploads_origin: str) -> str:
    """No script but the console's own files (no inline script, no eval): template HTML a marketer
    writes is previewed in a sandboxed frame and can never run in the console's origin. Inline styles
    are allowed for those previews (email HTML is styled inline). The console talks to the API, to
    Cognito's user pool and identity pool endpoints, to the managed login domain (tokens), and to the
    imports bucket, where it PUTs a contact list through the URL the API pre-signed."""
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self' 'unsafe-inline'",
        "img-src": "'self' data: https:",
        "connect-src": " ".join(
            (
                "'self'",
                api_origin,
                f"https://cognito-identity.{region}.amazonaws.com",
                f"https://cognito-idp.{region}.amazonaws.com",
                sign_in_origin,
                uploads_origin,
            )
        ),
        "frame-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": f"'self' {sign_in_origin}",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {sources}" for name, sources in directives.items())


@dataclass(frozen=True)
class ConsoleConfig:
    """What the console reads from /console/config.json in AWS (`AwsConfig` in console/src/config.ts);
    the same build runs in local mode with local mode's configuration."""

    region: str
    api_url: str
    user_pool_id: str
    user_pool_client_id: str
    identity_pool_id: str
    cognito_domain: str  # the managed login domain's base URL
    redirect_uri: str  # the console's page: where managed login sends a user back

    def as_json(self) -> dict[str, str]:
        return {
            "mode": "aws",
            "region": self.region,
            "apiUrl": self.api_url,
            "userPoolId": self.user_pool_id,
            "userPoolClientId": self.user_pool_client_id,
            "identityPoolId": self.identity_pool_id,
            "cognitoDomain": self.cognito_domain,
            "redirectUri": self.redirect_uri,
        }


class ConsoleHosting(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, api_origin: str, sign_in_origin: str, uploads_origin: str
    ):
        """`api_origin`: the API's execute-api origin; `sign_in_origin`: the managed login domain's;
        `uploads_origin`: the imports bucket's regional origin, which pre-signed upload URLs use."""
        super().__init__(scope, construct_id)
        self.bucket = private_bucket(
            self,
            "Bucket",
            # Only a build, made again by every deploy: the stack's deletion takes it along.
            removal_policy=RemovalPolicy.DESTROY,
            auto_delete_objects=True,
        )
        acknowledge(
            self.bucket,
            "AwsSolutions-S1",
            "The bucket holds the console's public build and is read only by CloudFront (origin access "
            "control) and written only by the stack's deployment; what staff do is in the API's access logs.",
        )
        viewer_request = cloudfront.Function(
            self,
            "PageRouting",
            comment="Serves /console/index.html for the console's pages; / goes to /console/",
            code=cloudfront.FunctionCode.from_file(file_path=str(VIEWER_REQUEST_CODE)),
            runtime=cloudfront.FunctionRuntime.JS_2_0,
        )
        stack = Stack.of(self)
        security_headers = cloudfront.ResponseHeadersPolicy(
            self,
            "SecurityHeaders",
            # Names are per account, not per region: the region keeps two deployments apart.
            response_headers_policy_name=f"{stack.stack_name}-console-{stack.region}",
            comment="Security headers of the staff console",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=content_security_policy(
                        api_origin=api_origin,
                        region=stack.region,
                        sign_in_origin=sign_in_origin,
                        uploads_origin=uploads_origin,
                    ),
                    override=True,
                ),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.days(730), include_subdomains=True, override=True
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True
                ),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override=True
                ),
            ),
        )
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment="Marketing platform: staff console",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=security_headers,
                function_associations=[
                    cloudfront.FunctionAssociation(
                        function=viewer_request, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST
                    )
                ],
            ),
        )
        self._acknowledge_distribution_findings()
        self.origin = f"https://{self.distribution.distribution_domain_name}"
        self.url = f"{self.origin}{CONSOLE_PATH}"

    def _acknowledge_distribution_findings(self) -> None:
        reasons = {
            "AwsSolutions-CFR1": "Staff sign in from wherever they work; the console's files are the same "
            "public build for everyone, and every action needs a signed-in user's credentials at the API.",
            "AwsSolutions-CFR2": "The distribution serves static files only, with no logic of its own to "
            "attack; the API behind the console is throttled per route and signed (IAM). A web ACL for "
            "CloudFront lives in us-east-1 and costs a monthly fee: add one where policy asks for it.",
            "AwsSolutions-CFR3": "Requests for the console's public files say nothing worth keeping: staff "
            "actions are in the API's access logs and sign-ins in Cognito's and CloudTrail's.",
            "AwsSolutions-CFR4": "The console is served on the distribution's cloudfront.net name with "
            "CloudFront's default certificate, for which CloudFront sets the security policy itself; a "
            "custom domain with an ACM certificate would allow TLSv1.2_2021. Browsers negotiate TLS 1.2+.",
        }
        for rule, reason in reasons.items():
            acknowledge(self.distribution, rule, reason)


class ConsoleFiles(Construct):
    """The build in the bucket, in two deployments: the content-hashed files under assets/, cached
    for a year and never pruned (an open console still loads the chunks of the build it started
    with, e.g. the template editor, after a deploy), then the rest with config.json, revalidated on
    every load, the distribution invalidated."""

    def __init__(
        self, scope: Construct, construct_id: str, *, hosting: ConsoleHosting, dist_dir: Path, config: ConsoleConfig
    ):
        super().__init__(scope, construct_id)
        configuration = s3deploy.Source.json_data("config.json", config.as_json())
        built = (dist_dir / "index.html").is_file()
        if built:
            pages = [s3deploy.Source.asset(str(dist_dir), exclude=[ASSETS_DIR, ".vite"]), configuration]
        else:
            # A clone without a build still synthesizes (and the tests need none): a page that says so.
            Annotations.of(self).add_warning_v2(
                "marketing:console-not-built",
                f"{dist_dir} has no index.html: the console deploys as a page saying it was not built. "
                "Run `make console` before `cdk deploy`.",
            )
            pages = [s3deploy.Source.data("index.html", NOT_BUILT_PAGE), configuration]
        assets = None
        if built and (dist_dir / ASSETS_DIR).is_dir():
            assets = s3deploy.BucketDeployment(
                self,
                "Assets",
                sources=[s3deploy.Source.asset(str(dist_dir / ASSETS_DIR))],
                destination_bucket=hosting.bucket,
                destination_key_prefix=f"{KEY_PREFIX}{ASSETS_DIR}/",
                prune=False,
                cache_control=[
                    s3deploy.CacheControl.set_public(),
                    s3deploy.CacheControl.max_age(Duration.days(365)),
                    s3deploy.CacheControl.immutable(),
                ],
            )
        deployment = s3deploy.BucketDeployment(
            self,
            "Pages",
            sources=pages,
            destination_bucket=hosting.bucket,
            destination_key_prefix=KEY_PREFIX,
            exclude=[f"{ASSETS_DIR}/*"],  # the assets deployment's: not pruned by this one
            cache_control=[s3deploy.CacheControl.no_cache()],
            distribution=hosting.distribution,
            distribution_paths=[f"{CONSOLE_PATH}*"],
        )
        if assets is not None:
            deployment.node.add_dependency(assets)  # never an index.html naming files not yet uploaded
        self._acknowledge_deployment_findings(deployment, hosting.bucket)

    @staticmethod
    def _acknowledge_deployment_findings(deployment: s3deploy.BucketDeployment, bucket: s3.IBucket) -> None:
        """The role of CDK's deployment function, which both deployments share: CDK's grants, not ours."""
        stack = Stack.of(bucket)
        bucket_id = stack.resolve(stack.get_logical_id(bucket.node.default_child))
        qualifier = stack.node.try_get_context(BOOTSTRAP_QUALIFIER) or DefaultStackSynthesizer.DEFAULT_QUALIFIER
        reason = (
            "CDK's BucketDeployment reads the build from CDK's asset bucket and syncs it into the console "
            "bucket (listing, copying, deleting pruned files): CDK's grant on those two buckets' objects only."
        )
        findings = [
            *(f"Action::s3:{action}" for action in ("GetBucket*", "GetObject*", "List*", "Abort*", "DeleteObject*")),
            f"Resource::arn:<AWS::Partition>:s3:::cdk-{qualifier}-assets-<AWS::AccountId>-<AWS::Region>/*",
            f"Resource::<{bucket_id}.Arn>/*",
        ]
        for finding in findings:
            acknowledge(deployment.handler_role, f"AwsSolutions-IAM5[{finding}]", reason)
