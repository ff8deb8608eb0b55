"""The HTTP API: one API Gateway route per entry of the shared route table, each with the
authorizer its access class needs (AWS_IAM for staff, the shop's JWT for customers, none for
public links), all integrated with the API function; and the staff roles' IAM managed policies,
which say which staff routes an IAM principal may invoke."""

from __future__ import annotations

import jsii
from aws_cdk import CfnOutput, RemovalPolicy
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_apigatewayv2_authorizers as authorizers
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.config import StackSettings
from infra.constructs.function import PlatformFunction
from infra.constructs.grants import Grants
from infra.constructs.staff_roles import StaffRolePolicies
from infra.nag import acknowledge
from marketing.auth import Access
from marketing.catalog.api_routes import API_USES, BASE_PATH, ROUTES

_ACCESS_LOG_FORMAT = apigateway.AccessLogFormat.custom(
    '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","method":"$context.httpMethod",'
    '"routeKey":"$context.routeKey","status":"$context.status","latencyMs":"$context.responseLatency",'
    '"integrationError":"$context.integrationErrorMessage","authorizerError":"$context.authorizer.error"}'
)


@jsii.implements(apigw.IAccessLogSettings)
class _AccessLogs:
    def __init__(self, log_group: logs.ILogGroup):
        self._destination = apigw.LogGroupLogDestination(log_group)

    @property
    def destination(self) -> apigw.IAccessLogDestination:
        return self._destination

    @property
    def format(self) -> apigateway.AccessLogFormat:
        return _ACCESS_LOG_FORMAT


class HttpApi(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: StackSettings,
        layer: lambda_.ILayerVersion,
        grants: Grants,
        environment: dict[str, str],
    ):
        super().__init__(scope, construct_id)
        self.api = apigw.HttpApi(self, "HttpApi", create_default_stage=False, description="Marketing platform API")
        access_logs = logs.LogGroup(
            self, "AccessLogs", retention=logs.RetentionDays.THREE_MONTHS, removal_policy=RemovalPolicy.DESTROY
        )
        self.stage = apigw.HttpStage(
            self,
            "DefaultStage",
            http_api=self.api,
            auto_deploy=True,
            access_log_settings=_AccessLogs(access_logs),
            throttle=apigw.ThrottleSettings(rate_limit=settings.api_rate_limit, burst_limit=settings.api_burst_limit),
        )

        # Each route gets the limit of its class (public links in emails, customers' apps, staff),
        # under the stage-wide one; routes that take a code get a lower one: guessing needs volume.
        limits = {
            Access.PUBLIC: settings.public_rate_limit,
            Access.CUSTOMER: settings.customer_rate_limit,
            Access.STAFF: settings.staff_rate_limit,
        }
        self.stage.node.default_child.add_property_override(  # type: ignore[union-attr]
            "RouteSettings",
            {
                route.route_key: {"ThrottlingRateLimit": rate, "ThrottlingBurstLimit": rate * 2}
                for route in ROUTES
                if (rate := route.rate_limit(limits, settings.code_rate_limit))
            },
        )
        self.public_base_url = settings.public_base_url or f"{self.api.api_endpoint}{BASE_PATH}"

        self.handler = PlatformFunction(
            self,
            "ApiFunction",
            service="api",
            handler="api.app.lambda_handler",
            layer=layer,
            environment={
                **environment,
                "PUBLIC_BASE_URL": self.public_base_url,
            },
            snap_start=settings.api_snap_start,
        ).function
        grants.grant(self.handler, API_USES)
        # SnapStart restores published versions only: the API then calls the alias of the current one.
        target: lambda_.IFunction = (
            lambda_.Alias(self, "Live", alias_name="live", version=self.handler.current_version)
            if settings.api_snap_start
            else self.handler
        )

        # One permission for the whole API, not one per route: the function's resource policy has
        # a size limit that dozens of per-route statements would reach.
        integration = integrations.HttpLambdaIntegration("Api", target, scope_permission_to_route=False)
        by_access = {
            Access.STAFF: authorizers.HttpIamAuthorizer(),
            Access.CUSTOMER: authorizers.HttpJwtAuthorizer(
                "CustomerJwt", settings.jwt_issuer, jwt_audience=list(settings.jwt_audience)
            ),
            Access.PUBLIC: apigw.HttpNoneAuthorizer(),
        }
        for route in ROUTES:
            http_route = apigw.HttpRoute(
                self,
                f"{route.method} {route.gateway_path}",
                http_api=self.api,
                route_key=apigw.HttpRouteKey.with_(route.gateway_path, apigw.HttpMethod(route.method)),
                integration=integration,
                authorizer=by_access[route.access],
            )
            if route.access is Access.PUBLIC:
                acknowledge(
                    http_route,
                    "AwsSolutions-APIG4",
                    "Public by design: reached from emails and browsers without credentials; tracking and "
                    "unsubscribe links carry HMAC-signed tokens, and the stage is throttled.",
                )
        self.staff_policies = StaffRolePolicies(self, "StaffRoles", api=self.api, stage=self.stage).policies
        CfnOutput(
            self, "ApiUrl", value=f"{self.api.api_endpoint}{BASE_PATH}/", description="Base URL of the marketing API"
        )
