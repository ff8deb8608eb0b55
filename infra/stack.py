"""The marketing platform's stack: composes one construct per concern."""

from __future__ import annotations

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from infra.config import NO_UNSUBSCRIBE_MAIL, StackSettings
from infra.constructs.api import HttpApi
from infra.constructs.api_cors import ApiCors
from infra.constructs.automations import AutomationStateMachine
from infra.constructs.console import CONSOLE_PATH, ConsoleConfig, ConsoleFiles, ConsoleHosting
from infra.constructs.data import DataTables
from infra.constructs.email import EmailSending
from infra.constructs.grants import Grants
from infra.constructs.imports import ImportsBucket
from infra.constructs.inbound_mail import InboundMail
from infra.constructs.layer import REPO_ROOT, SharedLayer
from infra.constructs.messaging import Messaging
from infra.constructs.monitoring import Monitoring
from infra.constructs.sending_domain import SendingDomain
from infra.constructs.staff_identity import (
    StaffIdentity,
    mfa_from_setting,
    sign_in_domain_prefix,
    sign_in_domain_url,
)
from infra.constructs.workers import Workers
from infra.nag import acknowledge
from marketing.catalog.api_routes import BASE_PATH
from marketing.catalog.topology import (
    AUTOMATION_SENDS,
    CAMPAIGN_SENDS,
    CONTACT_IMPORTS,
    IMPORTS_BUCKET_ENV,
    INBOUND_MAIL_BUCKET_ENV,
    INBOUND_UNSUBSCRIBES,
)


class MarketingStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, settings: StackSettings, **kwargs):
        super().__init__(scope, construct_id, **kwargs)
        data = DataTables(self, "Data", retain_data=settings.retain_data)
        layer = SharedLayer(self, "SharedLayer").layer
        token_secret = self._hmac_key(
            "TokenSigningKey",
            "HMAC key for tracking, unsubscribe and preference links in emails, list cursors, and (a key "
            "derived from it) the do-not-email list's address hashes",
            "Links verify against the key's current and previous versions, so it can be rotated by hand "
            "(put-secret-value), at most once per hour that functions cache it (docs/decisions.md); an "
            "automatic schedule could retire a key still signing in a warm function, and each rotation "
            "retires the do-not-email entries hashed only under the key it drops (decision 79).",
        )
        gift_card_secret = self._hmac_key(
            "GiftCardCodeKey",
            "HMAC key that gift-card codes are derived from and hashed with",
            "Gift-card codes are derived from this key and looked up by a hash made with it: a new key "
            "would change every card's code, so it is never rotated (docs/decisions.md).",
        )
        messaging = Messaging(self, "Messaging")
        imports = ImportsBucket(self, "ContactImports", uploads_queue=messaging.queues[CONTACT_IMPORTS])
        email = EmailSending(
            self,
            "Email",
            sender_address=settings.sender_address,
            transactional_sender_address=settings.transactional_sender_address,
            send_queue=messaging.queues[CAMPAIGN_SENDS],
        )
        SendingDomain(
            self,
            "SendingDomain",
            domain=email.sender_domain,
            configuration_set=email.configuration_set,
            create_identity=settings.create_sender_identity,
            mail_from_domain=settings.mail_from_domain,
            dmarc_report_address=settings.dmarc_report_address,
        )
        automations = AutomationStateMachine(self, "Automations", sends_queue=messaging.queues[AUTOMATION_SENDS])
        inbound_mail = (
            InboundMail(
                self,
                "InboundMail",
                domain=settings.unsubscribe_mail_domain,
                queue=messaging.queues[INBOUND_UNSUBSCRIBES],
                activate=settings.activate_receipt_rule_set,
            )
            if settings.unsubscribe_mail_domain
            else None
        )
        # Every function is told where every resource is (a store it imports but never calls still
        # needs its table's name at cold start); what each may do is what its catalog entry declares.
        grants = Grants(
            data=data,
            messaging=messaging,
            imports=imports,
            email=email,
            automations=automations,
            token_secret=token_secret,
            gift_card_secret=gift_card_secret,
            inbound_mail=inbound_mail,
        )
        environment = {
            **{env_var: table.table_name for env_var, table in data.tables.items()},
            **messaging.environment(),
            **email.environment(),
            **automations.environment(),
            IMPORTS_BUCKET_ENV: imports.bucket.bucket_name,
            # The mailto's domain ("off": emails offer none) and where SES stores what it receives.
            "UNSUBSCRIBE_MAIL_DOMAIN": settings.unsubscribe_mail_domain or NO_UNSUBSCRIBE_MAIL,
            **({INBOUND_MAIL_BUCKET_ENV: inbound_mail.bucket.bucket_name} if inbound_mail else {}),
            "TOKEN_SECRET_NAME": token_secret.secret_name,
            "GIFT_CARD_SECRET_NAME": gift_card_secret.secret_name,
            "SHOP_NAME": settings.shop_name,
            **({"SHOP_POSTAL_ADDRESS": settings.shop_postal_address} if settings.shop_postal_address else {}),
            **({"TRACKING_CONSENT_REQUIRED": "true"} if settings.tracking_consent_required else {}),
            **settings.double_opt_in,
            **(
                {"SIGNUP_TRUSTED_SERVERS": ",".join(settings.signup_trusted_servers)}
                if settings.signup_trusted_servers
                else {}
            ),
        }
        self.api = HttpApi(
            self,
            "Api",
            settings=settings,
            layer=layer,
            grants=grants,
            environment=environment,
        )
        self.workers = Workers(
            self,
            "Workers",
            layer=layer,
            messaging=messaging,
            grants=grants,
            environment={**environment, "PUBLIC_BASE_URL": self.api.public_base_url},
        )
        self.monitoring = Monitoring(
            self,
            "Monitoring",
            alarm_topic_arn=settings.alarm_topic_arn,
            functions={"api": self.api.handler, **self.workers.functions},
            queues=messaging.queues,
            dead_letter_queues=messaging.dead_letter_queues,
        )
        self._staff_console(settings, imports)
        self._suppress_platform_wide()

    def _staff_console(self, settings: StackSettings, imports: ImportsBucket) -> None:
        """The console's hosting, its sign-in, its files and configuration, and the API's and the
        imports bucket's CORS for it.
        The console's security headers name the sign-in domain by its prefix, worked out here rather
        than read from the domain, so the hosting comes first and the sign-in's client can name the
        console's URL."""
        domain_prefix = sign_in_domain_prefix(self.stack_name, settings.console_auth_domain_prefix)
        sign_in_url = sign_in_domain_url(domain_prefix, self.region)
        hosting = ConsoleHosting(
            self,
            "Console",
            api_origin=self.api.api.api_endpoint,
            sign_in_origin=sign_in_url,
            uploads_origin=imports.uploads_origin,
        )
        dev_origins = [settings.console_dev_origin] if settings.console_dev_origin else []
        identity = StaffIdentity(
            self,
            "StaffIdentity",
            mfa=mfa_from_setting(settings.console_mfa),
            domain_prefix=domain_prefix,
            redirect_urls=[hosting.url, *(f"{origin}{CONSOLE_PATH}" for origin in dev_origins)],
            role_policies=self.api.staff_policies,
            retain=settings.retain_data,
        )
        ConsoleFiles(
            self,
            "ConsoleFiles",
            hosting=hosting,
            dist_dir=REPO_ROOT / "console" / "dist",
            config=ConsoleConfig(
                region=self.region,
                api_url=f"{self.api.api.api_endpoint}{BASE_PATH}",
                user_pool_id=identity.user_pool.user_pool_id,
                user_pool_client_id=identity.client.user_pool_client_id,
                identity_pool_id=identity.identity_pool.ref,
                cognito_domain=identity.domain_url,
                redirect_uri=hosting.url,
            ),
        )
        # The shop's pages may post the public signup form from the visitor's browser (docs/consent.md).
        api_origins = [hosting.origin, *dev_origins, *settings.signup_origins]
        ApiCors(self, "ApiCors", api=self.api.api, origins=api_origins)
        imports.allow_uploads_from([hosting.origin, *dev_origins])
        outputs = {
            "ConsoleUrl": (hosting.url, "The staff console"),
            "UserPoolId": (identity.user_pool.user_pool_id, "Staff user pool: create staff here (docs/deploy.md)"),
            "UserPoolClientId": (identity.client.user_pool_client_id, "The console's app client"),
            "IdentityPoolId": (identity.identity_pool.ref, "Identity pool giving staff their group's role"),
            "CognitoDomain": (identity.domain_url, "Managed login (sign-in pages) of the staff user pool"),
        }
        for name, (value, description) in outputs.items():
            CfnOutput(self, name, value=value, description=description)

    def _suppress_platform_wide(self) -> None:
        acknowledge(
            self,
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
            "Functions use AWSLambdaBasicExecutionRole only, the AWS-maintained minimum for writing their "
            "own CloudWatch logs.",
        )
        acknowledge(
            self,
            "AwsSolutions-IAM5[Resource::*]",
            "X-Ray trace writes (xray:PutTraceSegments, PutTelemetryRecords), SES's account-level read of "
            "the send quota (ses:GetSendQuota), the CDK-provided handler that configures bucket "
            "notifications (s3:PutBucketNotification) and the activation of the SES receipt rule set "
            "(ses:SetActiveReceiptRuleSet) have no resource-level permissions.",
        )
        acknowledge(
            self,
            "AwsSolutions-L1",
            "python3.12 is the platform's pinned runtime (SPEC); moving to a newer one is a deliberate "
            "change made with a full test run, not a side effect of a CDK upgrade.",
        )

    def _hmac_key(
        self, construct_id: str, description: str, why_not_rotated_automatically: str
    ) -> secretsmanager.Secret:
        secret = secretsmanager.Secret(
            self,
            construct_id,
            description=description,
            generate_secret_string=secretsmanager.SecretStringGenerator(password_length=48, exclude_punctuation=True),
        )
        acknowledge(secret, "AwsSolutions-SMG4", why_not_rotated_automatically)
        return secret
