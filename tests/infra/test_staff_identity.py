"""Sign-in for the staff console in the synthesized template: a user pool only an administrator adds
to, with MFA; the console's public app client (code grant, no secret); and an identity pool that
gives a signed-in user the role of their group, the role carrying exactly that staff role's policy."""

from __future__ import annotations

import pytest
from aws_cdk import Stack, Token
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Template

from infra.constructs.staff_identity import (
    StaffIdentity,
    mfa_from_setting,
    sign_in_domain_prefix,
)
from marketing.catalog.staff_roles import StaffRole
from tests.infra.intrinsics import logical_id, render


def _one(template, resource_type: str) -> tuple[str, dict]:
    [(name, resource)] = template.find_resources(resource_type).items()
    return name, resource


def _staff_policy_ids(template) -> dict[StaffRole, str]:
    """Each staff role's managed policy (infra/constructs/staff_roles.py), found by its ARN's output."""
    outputs = template.find_outputs("*")
    return {
        role: next(o["Value"]["Ref"] for key, o in outputs.items() if f"{role.value.title()}PolicyArn" in key)
        for role in StaffRole
    }


def test_only_an_administrator_creates_staff_who_sign_in_by_email_with_mfa(template):
    _, pool = _one(template, "AWS::Cognito::UserPool")
    props = pool["Properties"]
    assert props["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert props["UsernameAttributes"] == ["email"]
    assert props["MfaConfiguration"] == "ON"
    assert props["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]  # an authenticator app, no SMS
    assert "SmsConfiguration" not in props
    assert props["AccountRecoverySetting"] == {"RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]}
    password = props["Policies"]["PasswordPolicy"]
    assert password["MinimumLength"] >= 14
    assert all(password[f"Require{kind}"] for kind in ("Lowercase", "Uppercase", "Numbers", "Symbols"))


def test_the_user_pool_blocks_leaked_passwords_and_outlives_the_stack(template):
    name, pool = _one(template, "AWS::Cognito::UserPool")
    assert pool["Properties"]["UserPoolTier"] == "PLUS"
    assert pool["Properties"]["UserPoolAddOns"] == {"AdvancedSecurityMode": "ENFORCED"}
    _, risk = _one(template, "AWS::Cognito::UserPoolRiskConfigurationAttachment")
    assert risk["Properties"]["UserPoolId"] == {"Ref": name}
    assert risk["Properties"]["CompromisedCredentialsRiskConfiguration"]["Actions"] == {"EventAction": "BLOCK"}
    # retainData is true in cdk.json
    assert pool["Properties"]["DeletionProtection"] == "ACTIVE"
    assert pool["DeletionPolicy"] == "Retain"


def test_the_console_client_is_public_and_uses_the_code_grant(template):
    _, client = _one(template, "AWS::Cognito::UserPoolClient")
    props = client["Properties"]
    assert props["GenerateSecret"] is False
    assert props["AllowedOAuthFlows"] == ["code"]
    assert props["AllowedOAuthFlowsUserPoolClient"] is True
    assert props["AllowedOAuthScopes"] == ["openid", "email", "profile"]
    assert props["SupportedIdentityProviders"] == ["COGNITO"]
    assert props["PreventUserExistenceErrors"] == "ENABLED"
    assert props["EnableTokenRevocation"] is True  # the console's sign-out revokes its refresh token
    [distribution] = template.find_resources("AWS::CloudFront::Distribution")
    console_page = f"https://<{distribution}.DomainName>/console/"
    assert [render(url) for url in props["CallbackURLs"]] == [console_page]
    assert [render(url) for url in props["LogoutURLs"]] == [console_page]
    validity = {kind: props[f"{kind}TokenValidity"] for kind in ("Id", "Access", "Refresh")}
    assert validity == {"Id": 60, "Access": 60, "Refresh": 720}  # minutes
    assert set(props["TokenValidityUnits"].values()) == {"minutes"}


def test_managed_login_serves_the_sign_in_pages_on_a_domain_of_this_stack(template):
    _, domain = _one(template, "AWS::Cognito::UserPoolDomain")
    assert domain["Properties"]["ManagedLoginVersion"] == 2
    assert render(domain["Properties"]["Domain"]).startswith("marketingplatform-staff-<Fn::Select:")
    client = logical_id(template, "AWS::Cognito::UserPoolClient", "StaffIdentity")
    _, branding = _one(template, "AWS::Cognito::ManagedLoginBranding")
    assert branding["Properties"]["ClientId"] == {"Ref": client}


def test_the_identity_pool_admits_only_users_signed_in_to_the_console(template):
    _, identity_pool = _one(template, "AWS::Cognito::IdentityPool")
    props = identity_pool["Properties"]
    assert props["AllowUnauthenticatedIdentities"] is False
    assert props["AllowClassicFlow"] is False
    pool = logical_id(template, "AWS::Cognito::UserPool", "StaffIdentity")
    client = logical_id(template, "AWS::Cognito::UserPoolClient", "StaffIdentity")
    assert props["CognitoIdentityProviders"] == [
        {
            "ClientId": {"Ref": client},
            "ProviderName": {"Fn::GetAtt": [pool, "ProviderName"]},
            "ServerSideTokenCheck": True,
        }
    ]


def test_the_role_comes_from_the_token_and_a_user_in_no_group_gets_none(template):
    identity_pool = logical_id(template, "AWS::Cognito::IdentityPool", "StaffIdentity")
    pool = logical_id(template, "AWS::Cognito::UserPool", "StaffIdentity")
    client = logical_id(template, "AWS::Cognito::UserPoolClient", "StaffIdentity")
    _, attachment = _one(template, "AWS::Cognito::IdentityPoolRoleAttachment")
    props = attachment["Properties"]
    assert props["IdentityPoolId"] == {"Ref": identity_pool}
    [mapping] = props["RoleMappings"].values()
    assert mapping["Type"] == "Token"
    assert mapping["AmbiguousRoleResolution"] == "Deny"
    assert render(mapping["IdentityProvider"]) == f"<{pool}.ProviderName>:<{client}>"


def test_each_group_maps_to_the_role_of_its_name_and_the_manager_wins(template):
    groups = {
        group["Properties"]["GroupName"]: group["Properties"]
        for group in template.find_resources("AWS::Cognito::UserPoolGroup").values()
    }
    assert set(groups) == {"manager", "analyst"}
    for role in StaffRole:
        role_id = groups[role.value]["RoleArn"]["Fn::GetAtt"][0]
        assert role_id.startswith(f"StaffIdentity{role.value.title()}Role")
    assert groups["manager"]["Precedence"] < groups["analyst"]["Precedence"]


@pytest.mark.parametrize("role", list(StaffRole))
def test_each_role_carries_exactly_its_staff_policy_and_trusts_only_signed_in_identities(template, role):
    identity_pool = logical_id(template, "AWS::Cognito::IdentityPool", "StaffIdentity")
    role_id = logical_id(template, "AWS::IAM::Role", f"StaffIdentity{role.value.title()}Role")
    props = template.find_resources("AWS::IAM::Role")[role_id]["Properties"]
    assert props["ManagedPolicyArns"] == [{"Ref": _staff_policy_ids(template)[role]}]
    assert "Policies" not in props
    inline = [
        name
        for name, policy in template.find_resources("AWS::IAM::Policy").items()
        if {"Ref": role_id} in policy["Properties"].get("Roles", [])
    ]
    assert inline == []
    assert props["AssumeRolePolicyDocument"]["Statement"] == [
        {
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Effect": "Allow",
            "Principal": {"Federated": "cognito-identity.amazonaws.com"},
            "Condition": {
                "StringEquals": {"cognito-identity.amazonaws.com:aud": {"Ref": identity_pool}},
                "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"},
            },
        }
    ]


@pytest.mark.parametrize(
    ("setting", "mfa"),
    [("required", cognito.Mfa.REQUIRED), ("optional", cognito.Mfa.OPTIONAL), ("off", cognito.Mfa.OFF)],
)
def test_consolemfa_names_the_user_pools_mfa(setting, mfa):
    assert mfa_from_setting(setting) == mfa


def test_an_unknown_consolemfa_fails_synth():
    with pytest.raises(ValueError, match="consoleMfa"):
        mfa_from_setting("sms")


def test_with_mfa_off_the_pool_offers_no_second_factor():
    stack = Stack()
    policies = {
        role: iam.ManagedPolicy(
            stack, role.value, statements=[iam.PolicyStatement(actions=["s3:ListAllMyBuckets"], resources=["*"])]
        )
        for role in StaffRole
    }
    StaffIdentity(
        stack,
        "StaffIdentity",
        mfa=cognito.Mfa.OFF,
        domain_prefix="shop-staff",
        redirect_urls=["https://console.example/console/"],
        role_policies=policies,
        retain=False,
    )
    [pool] = Template.from_stack(stack).find_resources("AWS::Cognito::UserPool").values()
    assert pool["Properties"]["MfaConfiguration"] == "OFF"
    assert "EnabledMfas" not in pool["Properties"]
    assert pool["Properties"]["DeletionProtection"] == "INACTIVE"


def test_the_sign_in_domain_prefix_is_the_stack_name_and_the_stacks_own_id():
    prefix = sign_in_domain_prefix("Marketing_Platform", None)
    assert prefix.startswith("marketing-platform-staff-")
    assert Token.is_unresolved(prefix)  # the stack id's first block, known at deploy time
    assert sign_in_domain_prefix("Shop", "myshop-staff") == "myshop-staff"


@pytest.mark.parametrize(
    ("stack_name", "configured"),
    [("AwsMarketing", None), ("Shop", "My_Shop"), ("Shop", "cognito-staff"), ("Shop", "-shop"), ("---", None)],
)
def test_a_domain_prefix_cognito_would_refuse_fails_synth(stack_name, configured):
    with pytest.raises(ValueError, match="consoleAuthDomainPrefix"):
        sign_in_domain_prefix(stack_name, configured)
