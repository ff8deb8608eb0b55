"""Sign-in for the staff console: a Cognito user pool of staff (created by an administrator, never
by sign-up), its managed login pages, the console's app client, and an identity pool that trades a
signed-in user's ID token for temporary credentials of the IAM role of the user's group.

The two roles carry the staff roles' managed policies (infra/constructs/staff_roles.py) and nothing
else: the console calls the API through the same IAM authorizer, with the same permissions, as the
staff CLI; signing in adds no new way in."""

from __future__ import annotations

import re

from aws_cdk import Aws, Duration, Fn, RemovalPolicy
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from constructs import Construct

from infra.nag import acknowledge
from marketing.catalog.staff_roles import StaffRole

Risk = cognito.CfnUserPoolRiskConfigurationAttachment
IDENTITY_SERVICE = "cognito-identity.amazonaws.com"
MFA_SETTINGS = {"required": cognito.Mfa.REQUIRED, "optional": cognito.Mfa.OPTIONAL, "off": cognito.Mfa.OFF}
# Someone in both groups gets the lower number's role: adding a person to `manager` means it.
GROUP_PRECEDENCE = {StaffRole.MANAGER: 1, StaffRole.ANALYST: 2}
_DOMAIN_PREFIX = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_RESERVED_IN_PREFIX = ("aws", "amazon", "cognito")  # Cognito refuses prefixes containing these


def mfa_from_setting(setting: str) -> cognito.Mfa:
    """`consoleMfa` -> the user pool's MFA configuration (the second factor is always TOTP)."""
    try:
        return MFA_SETTINGS[setting.lower()]
    except KeyError:
        raise ValueError(f"consoleMfa must be one of {', '.join(MFA_SETTINGS)}; got {setting!r}") from None


def sign_in_domain_prefix(stack_name: str, configured: str | None) -> str:
    """The prefix of the managed login domain (`<prefix>.auth.<region>.amazoncognito.com`), which must
    be unique in its region across every AWS account: the configured one, or the stack's name followed
    by the first block of the stack's own id (a UUID CloudFormation gives each stack), so that two
    deployments of this app never ask for the same one."""
    if configured:
        _check_prefix(configured, "consoleAuthDomainPrefix")
        return configured
    name = re.sub(r"[^a-z0-9]+", "-", stack_name.lower()).strip("-")[:40]
    _check_prefix(f"{name}-staff", f"the stack name {stack_name!r}")
    stack_uuid = Fn.select(2, Fn.split("/", Aws.STACK_ID))
    return f"{name}-staff-{Fn.select(0, Fn.split('-', stack_uuid))}"


def _check_prefix(prefix: str, source: str) -> None:
    if not _DOMAIN_PREFIX.fullmatch(prefix):
        raise ValueError(
            f"{source} makes no sign-in domain prefix (1-63 lower-case letters, digits and inner hyphens): "
            "set consoleAuthDomainPrefix"
        )
    if any(word in prefix for word in _RESERVED_IN_PREFIX):
        raise ValueError(
            f"{source} contains one of {', '.join(_RESERVED_IN_PREFIX)}, which Cognito refuses in a domain "
            "prefix: set consoleAuthDomainPrefix"
        )


def sign_in_domain_url(prefix: str, region: str) -> str:
    """The managed login domain's base URL, as `UserPoolDomain.base_url()` gives it."""
    return f"https://{prefix}.auth.{region}.amazoncognito.com"


class StaffIdentity(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        mfa: cognito.Mfa,
        domain_prefix: str,
        redirect_urls: list[str],
        role_policies: dict[StaffRole, iam.IManagedPolicy],
        retain: bool,
    ):
        """`redirect_urls`: where managed login may send a user back after signing in or out (the
        console's page, and a dev server's if one is allowed)."""
        super().__init__(scope, construct_id)
        self.user_pool = self._user_pool(mfa, retain)
        self.domain = self.user_pool.add_domain(
            "SignInDomain",
            cognito_domain=cognito.CognitoDomainOptions(domain_prefix=domain_prefix),
            managed_login_version=cognito.ManagedLoginVersion.NEWER_MANAGED_LOGIN,
        )
        self.client = self._console_client(redirect_urls)
        # Managed login shows no page until the client has a style; Cognito's own is enough for staff.
        cognito.CfnManagedLoginBranding(
            self,
            "SignInPages",
            user_pool_id=self.user_pool.user_pool_id,
            client_id=self.client.user_pool_client_id,
            use_cognito_provided_values=True,
        )
        self.identity_pool = cognito.CfnIdentityPool(
            self,
            "IdentityPool",
            allow_unauthenticated_identities=False,
            allow_classic_flow=False,
            cognito_identity_providers=[
                cognito.CfnIdentityPool.CognitoIdentityProviderProperty(
                    client_id=self.client.user_pool_client_id,
                    provider_name=self.user_pool.user_pool_provider_name,
                    # A token of a user signed out everywhere (or disabled) gets no more credentials.
                    server_side_token_check=True,
                )
            ],
        )
        self.roles = {role: self._role(role, role_policies[role]) for role in StaffRole}
        for role, iam_role in self.roles.items():
            cognito.UserPoolGroup(
                self,
                f"{role.value.title()}Group",
                user_pool=self.user_pool,
                group_name=role.value,  # the console reads its menus from this name in the ID token
                description=f"Staff who act as the {role.label}",
                precedence=GROUP_PRECEDENCE[role],
                role=iam_role,
            )
        # The role comes from the ID token: Cognito puts the role of the user's group (the one of
        # lowest precedence) in `cognito:preferred_role`, and a token without one, a user in no
        # group, is refused (Deny) rather than given a default role.
        cognito.CfnIdentityPoolRoleAttachment(
            self,
            "RoleFromToken",
            identity_pool_id=self.identity_pool.ref,
            role_mappings={
                "staff": cognito.CfnIdentityPoolRoleAttachment.RoleMappingProperty(
                    type="Token",
                    ambiguous_role_resolution="Deny",
                    identity_provider=f"{self.user_pool.user_pool_provider_name}:{self.client.user_pool_client_id}",
                )
            },
            # SetIdentityPoolRoles takes a default authenticated role; with the mapping above set to
            # Deny it is never used. The analyst's, should that ever change: the least of the two.
            roles={"authenticated": self.roles[StaffRole.ANALYST].role_arn},
        )
        self.domain_url = self.domain.base_url()

    def _user_pool(self, mfa: cognito.Mfa, retain: bool) -> cognito.UserPool:
        user_pool = cognito.UserPool(
            self,
            "UserPool",
            self_sign_up_enabled=False,  # staff accounts are made by an administrator (docs/deploy.md)
            sign_in_aliases=cognito.SignInAliases(email=True),
            sign_in_case_sensitive=False,
            standard_attributes=cognito.StandardAttributes(email=cognito.StandardAttribute(required=True)),
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            mfa=mfa,
            # An authenticator app only: no SMS, so no SNS role and no text-message charges.
            mfa_second_factor=None if mfa == cognito.Mfa.OFF else cognito.MfaSecondFactor(otp=True, sms=False),
            enable_sms_role=False,
            password_policy=cognito.PasswordPolicy(
                min_length=14,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=True,
                temp_password_validity=Duration.days(3),
            ),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            # Plus is charged per monthly active user, a handful of staff here; it blocks sign-ins
            # with leaked passwords and challenges risky ones (the configuration below).
            feature_plan=cognito.FeaturePlan.PLUS,
            standard_threat_protection_mode=cognito.StandardThreatProtectionMode.FULL_FUNCTION,
            user_invitation=cognito.UserInvitationConfig(
                email_subject="Your account on the marketing console",
                email_body=(
                    "An account on the marketing console was made for you. Sign in as {username} with the "
                    "temporary password {####}; you will then choose your own password and, unless your "
                    "administrator turned it off, set up an authenticator app."
                ),
            ),
            deletion_protection=retain,
            removal_policy=RemovalPolicy.RETAIN if retain else RemovalPolicy.DESTROY,
        )
        cognito.CfnUserPoolRiskConfigurationAttachment(
            self,
            "ThreatResponses",
            user_pool_id=user_pool.user_pool_id,
            client_id="ALL",
            compromised_credentials_risk_configuration=Risk.CompromisedCredentialsRiskConfigurationTypeProperty(
                actions=Risk.CompromisedCredentialsActionsTypeProperty(event_action="BLOCK"),
            ),
            account_takeover_risk_configuration=Risk.AccountTakeoverRiskConfigurationTypeProperty(
                actions=Risk.AccountTakeoverActionsTypeProperty(
                    low_action=_takeover_action("NO_ACTION"),
                    medium_action=_takeover_action("MFA_IF_CONFIGURED"),
                    high_action=_takeover_action("BLOCK"),
                ),
            ),
        )
        if mfa != cognito.Mfa.REQUIRED:
            acknowledge(
                user_pool,
                "AwsSolutions-COG2",
                f"MFA is {mfa.value} because the deployment set consoleMfa so (default: required); "
                "threat protection still blocks leaked passwords and challenges risky sign-ins.",
            )
        return user_pool

    def _console_client(self, redirect_urls: list[str]) -> cognito.UserPoolClient:
        return self.user_pool.add_client(
            "ConsoleClient",
            user_pool_client_name="marketing-console",
            # A single-page app keeps no secret: a public client, the code grant with PKCE (the
            # console sends a code challenge on every sign-in).
            generate_secret=False,
            o_auth=cognito.OAuthSettings(
                flows=cognito.OAuthFlows(authorization_code_grant=True),
                scopes=[cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
                callback_urls=redirect_urls,
                logout_urls=redirect_urls,
            ),
            supported_identity_providers=[cognito.UserPoolClientIdentityProvider.COGNITO],
            # Passwords are typed into managed login only; the client itself needs only refreshes
            # (SRP is what managed login's password sign-in runs on).
            auth_flows=cognito.AuthFlow(user_srp=True),
            prevent_user_existence_errors=True,
            enable_token_revocation=True,
            id_token_validity=Duration.hours(1),
            access_token_validity=Duration.hours(1),
            # A working day: after it, the console sends the user through managed login (and MFA) again.
            refresh_token_validity=Duration.hours(12),
        )

    def _role(self, role: StaffRole, policy: iam.IManagedPolicy) -> iam.Role:
        return iam.Role(
            self,
            f"{role.value.title()}Role",
            description=f"The {role.label} signed in to the staff console, through the identity pool",
            # Only identities of this identity pool, and only signed-in ones.
            assumed_by=iam.FederatedPrincipal(
                IDENTITY_SERVICE,
                conditions={
                    "StringEquals": {f"{IDENTITY_SERVICE}:aud": self.identity_pool.ref},
                    "ForAnyValue:StringLike": {f"{IDENTITY_SERVICE}:amr": "authenticated"},
                },
                assume_role_action="sts:AssumeRoleWithWebIdentity",
            ),
            managed_policies=[policy],
        )


def _takeover_action(event_action: str) -> Risk.AccountTakeoverActionTypeProperty:
    # No notification email: it would need an SES identity for Cognito to send from; the event is
    # in the user's sign-in history either way.
    return Risk.AccountTakeoverActionTypeProperty(event_action=event_action, notify=False)
