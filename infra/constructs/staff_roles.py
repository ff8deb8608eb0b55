"""The staff roles as IAM managed policies, one per role, for the marketing team's IAM users, groups
or roles to be given (the console's signed-in staff get them through the roles of
infra/constructs/staff_identity.py). Each is derived from the route table by `may_call`, the
decision local mode's gateway applies to its key pairs: no route is listed here."""

from __future__ import annotations

import re
from collections.abc import Iterable

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_iam as iam
from constructs import Construct

from infra.nag import acknowledge
from marketing.auth import Access
from marketing.catalog.api_routes import ROUTES, ApiRoute
from marketing.catalog.staff_roles import INVOKE_PERMISSION, StaffRole, may_call

_DESCRIPTIONS = {
    StaffRole.MANAGER: "Marketing manager: may call every staff route of the marketing API",
    StaffRole.ANALYST: "Marketing analyst: may read through the staff routes of the marketing API, "
    "not change anything or take personal data out",
}


def _path_pattern(route: ApiRoute) -> str:
    """The route's path as IAM matches a request's: a parameter is `*`, and a trailing `*` takes `/x`
    and `/x/` alike (API Gateway serves both to the route; IAM sees the path as the client sent it)."""
    return re.sub(r"\{\w+\}", "*", route.gateway_path) + "*"


def invoke_patterns(routes: Iterable[ApiRoute]) -> list[tuple[str, str]]:
    """(method, path pattern) pairs that cover `routes`, less those another pair covers already: a
    managed policy holds 6,144 characters, and one pattern per route would not fit."""
    kept: list[tuple[str, str]] = []
    # Shortest first: a pattern can only cover patterns at least as long as itself.
    candidates = {(route.method, _path_pattern(route)) for route in routes}
    for method, path in sorted(candidates, key=lambda pair: (len(pair[1]), pair)):
        if not any(method == kept_method and path.startswith(kept_path[:-1]) for kept_method, kept_path in kept):
            kept.append((method, path))
    return sorted(kept, key=lambda pair: (pair[1], pair[0]))  # by path: the template reads as the route table


class StaffRolePolicies(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, api: apigw.HttpApi, stage: apigw.HttpStage):
        super().__init__(scope, construct_id)
        # The console's identity pool roles carry these same policies (infra/constructs/staff_identity.py).
        self.policies: dict[StaffRole, iam.ManagedPolicy] = {}
        staff_routes = [route for route in ROUTES if route.access is Access.STAFF]
        stack = Stack.of(api)
        api_logical_id = stack.resolve(stack.get_logical_id(api.node.default_child))
        # The API's execute-api ARN as cdk-nag names it in a finding.
        nag_api_arn = f"arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<{api_logical_id}>"
        for role in StaffRole:
            allowed = invoke_patterns(route for route in staff_routes if may_call(role, route))
            # The patterns' wildcards also reach routes of the same methods that the role may not
            # call (`GET …/contacts/*` takes a contact's export): an explicit Deny closes each one.
            allowed_methods = {method for method, _ in allowed}
            denied = invoke_patterns(
                route for route in staff_routes if route.method in allowed_methods and not may_call(role, route)
            )
            statements = [self._statement(iam.Effect.ALLOW, allowed, api, stage)]
            if denied:
                statements.append(self._statement(iam.Effect.DENY, denied, api, stage))
            policy = iam.ManagedPolicy(
                self,
                f"{role.value.title()}Policy",
                description=_DESCRIPTIONS[role],
                document=iam.PolicyDocument(statements=statements),
            )
            self.policies[role] = policy
            for method, path in allowed:
                acknowledge(
                    policy,
                    f"AwsSolutions-IAM5[Resource::{nag_api_arn}/{stage.stage_name}/{method}{path}]",
                    "Derived from the route table: `*` stands for a path parameter and the trailing slash; "
                    "routes a wildcard would reach that the role may not call are denied explicitly.",
                )
            CfnOutput(
                self,
                f"{role.value.title()}PolicyArn",
                value=policy.managed_policy_arn,
                description=f"ARN of the {role.label} IAM managed policy, for the staff who act as one",
            )

    @staticmethod
    def _statement(
        effect: iam.Effect, patterns: list[tuple[str, str]], api: apigw.HttpApi, stage: apigw.HttpStage
    ) -> iam.PolicyStatement:
        return iam.PolicyStatement(
            effect=effect,
            actions=[INVOKE_PERMISSION],
            resources=[api.arn_for_execute_api(method, path, stage.stage_name) for method, path in patterns],
        )
