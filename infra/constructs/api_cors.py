"""Which browser origins may call the API: the staff console's (and a console dev server's, if the
deployment allows one).

The CORS configuration is set by an API call after both exist, not as the API's `CorsConfiguration`
property: that property would name the console's distribution, whose security headers name the API
(the Content-Security-Policy's connect-src), and CloudFormation cannot create two resources that each
need the other's name first. API Gateway answers the browsers' preflight requests from it."""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_iam as iam
from aws_cdk import custom_resources as cr
from constructs import Construct

from marketing.auth import Access
from marketing.catalog.api_routes import ROUTES

# What a SigV4-signed request from the console carries (aws4fetch): the signature, its date, the
# temporary credentials' session token, the body's hash; and the JSON body's type.
ALLOWED_HEADERS = ("authorization", "content-type", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256")
PREFLIGHT_MAX_AGE_SECONDS = 7200  # the longest a Chromium browser keeps a preflight's answer


def cors_configuration(origins: list[str]) -> dict:
    """The API's CORS configuration (API Gateway's CorsConfiguration) for the console's origins: the
    methods of the staff routes, the only ones the console calls."""
    return {
        "AllowOrigins": origins,
        "AllowMethods": sorted({route.method for route in ROUTES if route.access is Access.STAFF}),
        "AllowHeaders": list(ALLOWED_HEADERS),
        "MaxAge": PREFLIGHT_MAX_AGE_SECONDS,
    }


class ApiCors(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, api: apigw.HttpApi, origins: list[str]):
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        api_arn = f"arn:{stack.partition}:apigateway:{stack.region}::/apis/{api.api_id}"
        set_cors = cr.AwsSdkCall(
            service="ApiGatewayV2",
            action="UpdateApi",
            parameters={"ApiId": api.api_id, "CorsConfiguration": cors_configuration(origins)},
            physical_resource_id=cr.PhysicalResourceId.of(f"{api.api_id}-cors"),
            output_paths=["ApiId"],  # the whole API description could pass CloudFormation's 4 KB limit
        )
        cr.AwsCustomResource(
            self,
            "Configuration",
            on_create=set_cors,
            on_update=set_cors,
            # The console gone, so is its access; a deleted API has nothing left to clear.
            on_delete=cr.AwsSdkCall(
                service="ApiGatewayV2",
                action="DeleteCorsConfiguration",
                parameters={"ApiId": api.api_id},
                ignore_error_codes_matching="NotFoundException",
            ),
            policy=cr.AwsCustomResourcePolicy.from_statements(
                [
                    iam.PolicyStatement(actions=["apigateway:PATCH"], resources=[api_arn]),
                    iam.PolicyStatement(actions=["apigateway:DELETE"], resources=[f"{api_arn}/cors"]),
                ]
            ),
            install_latest_aws_sdk=False,  # the runtime's SDK has both calls; no download at deploy time
        )
