"""Names and per-deployment settings of the stack, read from CDK context (`-c key=value` or
cdk.json). Defaults let `cdk synth` run with no context at all; a real deployment sets at least
the JWT issuer and audience of the shop's identity provider."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from constructs import Construct

from marketing.auth import Access
from marketing.catalog.api_routes import CODE_RATE_LIMIT, RATE_LIMITS
from marketing.config import DoubleOptIn

SERVICE = "marketing"
METRICS_NAMESPACE = "Marketing"
LAMBDA_MEMORY_MB = 512


@dataclass(frozen=True)
class StackSettings:
    stack_name: str
    jwt_issuer: str
    jwt_audience: tuple[str, ...]
    public_base_url: str | None  # custom domain for links in emails; default: the API's own URL
    retain_data: bool
    api_rate_limit: int
    api_burst_limit: int
    public_rate_limit: int  # tracking, unsubscribe and preference links, per route
    customer_rate_limit: int  # the shop's apps on behalf of customers, per route
    staff_rate_limit: int  # staff and the shop's back office, per route
    code_rate_limit: int  # routes that take a gift-card or referral code, per route
    sender_address: str  # default From address; its domain must be a verified SES identity
    shop_name: str
    # The shop's postal address for marketing emails' footers; unset, campaigns and automations are
    # refused (422) until it is given.
    shop_postal_address: str | None
    # From and Reply-To of transactional email (gift cards); on the sender's domain; default sender.
    transactional_sender_address: str | None
    # Opens and clicks are recorded per person only with the subscriber's consent; without it
    # they count in the mailing's anonymous totals only (decision 82).
    tracking_consent_required: bool
    # Double opt-in per channel ("always", "unverified_only" or "never", the default; decision 85):
    # the signed-in customer's subscribe, the registration's opt-in, imports. The public signup form
    # always asks for a confirmation.
    double_opt_in: dict[str, str]
    # The domain SES receives the List-Unsubscribe mailto for (infra/constructs/inbound_mail.py), in
    # the stack's region; default `unsubscribe.<the sender's domain>`; None ("off"): no receiving,
    # and emails offer only the one-click link (for a region where SES does not receive mail).
    unsubscribe_mail_domain: str | None
    # Whether the stack makes the SES domain identity of the sender's domain, with DKIM and a MAIL
    # FROM domain (infra/constructs/sending_domain.py): "create" (default), or "existing" where the
    # domain is verified outside the stack (CloudFormation cannot create an identity that exists).
    create_sender_identity: bool
    # The identity's custom MAIL FROM domain, a subdomain of the sender's so that SPF aligns with the
    # From domain; default `mail.<the sender's domain>`; None ("off", or an existing identity): SES's own.
    mail_from_domain: str | None
    dmarc_report_address: str | None  # where DMARC aggregate reports go (rua); None: the record asks for none
    # Whether the stack makes its receipt rule set the region's active one (an account has one per
    # region): off where another rule set is active and takes the stack's rule by hand (docs/deploy.md).
    activate_receipt_rule_set: bool
    alarm_topic_arn: str | None  # SNS topic for alarms; default: the stack makes one
    # Lambda SnapStart for the API function: restores new environments from a snapshot taken after
    # init (the API integrates a published version's alias). Off unless asked: restores and cached
    # snapshots are charged for Python functions (docs/decisions.md).
    api_snap_start: bool
    # The staff console (infra/constructs/console.py, staff_identity.py).
    console_mfa: str  # "required" (default), "optional" or "off": TOTP second factor at sign-in
    console_auth_domain_prefix: str | None  # the Cognito sign-in domain's prefix; default: from the stack
    console_dev_origin: str | None  # a console dev server allowed to sign in and call the API
    # The shop's website origins whose pages post the signup form from the visitor's browser (CORS).
    signup_origins: tuple[str, ...]
    # The shop's servers that post the signup form for their visitors: from them only, the visitor's
    # IP address and browser in the body are believed (the limit per caller, the consent log).
    signup_trusted_servers: tuple[str, ...]

    @classmethod
    def from_context(cls, scope: Construct) -> StackSettings:
        def get(key: str, default: object) -> object:
            value = scope.node.try_get_context(key)
            return default if value is None else value

        audience = get("jwtAudience", "marketing-api")
        sender_address = str(get("senderAddress", "news@example.com"))
        unsubscribe_domain = unsubscribe_mail_domain(get("unsubscribeMailDomain", None), sender_address)
        create_identity = creates_sender_identity(get("senderIdentity", None))
        return cls(
            stack_name=str(get("stackName", "MarketingPlatform")),
            jwt_issuer=str(get("jwtIssuer", "https://auth.example.com/")),
            jwt_audience=tuple(audience if isinstance(audience, list) else str(audience).split(",")),
            public_base_url=get("publicBaseUrl", None),  # type: ignore[arg-type]
            retain_data=str(get("retainData", "true")).lower() == "true",
            api_rate_limit=int(get("apiRateLimit", 200)),  # type: ignore[arg-type]
            api_burst_limit=int(get("apiBurstLimit", 400)),  # type: ignore[arg-type]
            public_rate_limit=int(get("publicRateLimit", RATE_LIMITS[Access.PUBLIC])),  # type: ignore[arg-type]
            customer_rate_limit=int(get("customerRateLimit", RATE_LIMITS[Access.CUSTOMER])),  # type: ignore[arg-type]
            staff_rate_limit=int(get("staffRateLimit", RATE_LIMITS[Access.STAFF])),  # type: ignore[arg-type]
            code_rate_limit=int(get("codeRateLimit", CODE_RATE_LIMIT)),  # type: ignore[arg-type]
            sender_address=sender_address,
            shop_name=str(get("shopName", "Example Shop")),
            shop_postal_address=str(get("shopPostalAddress", "")).strip() or None,
            transactional_sender_address=str(get("transactionalSenderAddress", "")).strip() or None,
            tracking_consent_required=str(get("trackingConsentRequired", "false")).lower() == "true",
            double_opt_in={
                variable: double_opt_in(key, get(key, "never")) for key, variable in DOUBLE_OPT_IN_CONTEXT.items()
            },
            unsubscribe_mail_domain=unsubscribe_domain,
            create_sender_identity=create_identity,
            mail_from_domain=mail_from_domain(
                get("mailFromDomain", None),
                sender_address,
                identity_created=create_identity,
                unsubscribe_mail_domain=unsubscribe_domain,
            ),
            dmarc_report_address=dmarc_report_address(get("dmarcReportAddress", None)),
            activate_receipt_rule_set=str(get("activateReceiptRuleSet", "true")).lower() == "true",
            alarm_topic_arn=get("alarmTopicArn", None),  # type: ignore[arg-type]
            api_snap_start=str(get("apiSnapStart", "false")).lower() == "true",
            console_mfa=str(get("consoleMfa", "required")).lower(),
            console_auth_domain_prefix=get("consoleAuthDomainPrefix", None),  # type: ignore[arg-type]
            console_dev_origin=dev_server_origin(get("consoleDevOrigin", None)),
            signup_origins=signup_origins(get("signupOrigins", "")),
            signup_trusted_servers=signup_trusted_servers(get("signupTrustedServers", "")),
        )


NO_UNSUBSCRIBE_MAIL = "off"

# Context key -> the functions' environment variable (marketing.config.OptInSettings).
DOUBLE_OPT_IN_CONTEXT = {
    "doubleOptInCustomers": "DOUBLE_OPT_IN_CUSTOMERS",
    "doubleOptInRegistrations": "DOUBLE_OPT_IN_REGISTRATIONS",
    "doubleOptInImports": "DOUBLE_OPT_IN_IMPORTS",
}


def double_opt_in(key: str, value: object) -> str:
    text = str(value).strip().lower()
    if text not in {policy.value for policy in DoubleOptIn}:
        choices = ", ".join(policy.value for policy in DoubleOptIn)
        raise ValueError(f"{key} must be one of {choices}; got {value!r}")
    return text


NO_MAIL_FROM_DOMAIN = "off"
SENDER_IDENTITY_CREATED, SENDER_IDENTITY_EXISTING = "create", "existing"
_DOMAIN = r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+"


def _sender_domain(sender_address: str) -> str:
    return sender_address.rpartition("@")[2].lower()


def unsubscribe_mail_domain(value: object, sender_address: str) -> str | None:
    """`unsubscribeMailDomain`: a domain, "off" for none, or unset for `unsubscribe.<sender's domain>`."""
    text = "" if value is None else str(value).strip().lower()
    if text == NO_UNSUBSCRIBE_MAIL:
        return None
    if not text:
        return "unsubscribe." + _sender_domain(sender_address)
    if not re.fullmatch(_DOMAIN, text):
        raise ValueError(f'unsubscribeMailDomain must be a domain name or "off"; got {value!r}')
    return text


def creates_sender_identity(value: object) -> bool:
    """`senderIdentity`: "create" (or unset) for the stack to make the domain identity, "existing"
    for one verified outside the stack."""
    text = SENDER_IDENTITY_CREATED if value is None else str(value).strip().lower()
    if text not in (SENDER_IDENTITY_CREATED, SENDER_IDENTITY_EXISTING):
        raise ValueError(
            f'senderIdentity must be "{SENDER_IDENTITY_CREATED}" or "{SENDER_IDENTITY_EXISTING}"; got {value!r}'
        )
    return text == SENDER_IDENTITY_CREATED


def mail_from_domain(
    value: object, sender_address: str, *, identity_created: bool, unsubscribe_mail_domain: str | None
) -> str | None:
    """`mailFromDomain`: a subdomain of the sender's domain (SES requires it, and SPF then aligns with
    the From domain), "off" for SES's own, or unset for `mail.<sender's domain>`. It is set on the
    identity the stack makes: an existing identity keeps whatever its owner set."""
    text = "" if value is None else str(value).strip().lower()
    if text == NO_MAIL_FROM_DOMAIN:
        return None
    if not identity_created:
        if text:
            raise ValueError(
                "mailFromDomain is set on the identity the stack makes; with senderIdentity "
                f'"{SENDER_IDENTITY_EXISTING}" set it on that identity in SES and leave mailFromDomain unset; '
                f"got {value!r}"
            )
        return None
    sender_domain = _sender_domain(sender_address)
    domain = text or f"mail.{sender_domain}"
    if not re.fullmatch(_DOMAIN, domain) or not domain.endswith(f".{sender_domain}"):
        raise ValueError(
            f'mailFromDomain must be a subdomain of the sender\'s domain, {sender_domain}, or "off"; got {value!r}'
        )
    if domain == unsubscribe_mail_domain:  # its MX goes to SES receiving; a MAIL FROM's to SES's bounce feedback
        raise ValueError(f"mailFromDomain and unsubscribeMailDomain need domains of their own; both are {domain!r}")
    return domain


def dmarc_report_address(value: object) -> str | None:
    """`dmarcReportAddress`: where DMARC aggregate reports go, or unset for none. Commas, semicolons
    and exclamation marks are DMARC's separators, so an address with one is refused."""
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    local_part, _, domain = text.rpartition("@")
    if not re.fullmatch(r"[A-Za-z0-9._%+=-]+", local_part) or not re.fullmatch(_DOMAIN, domain.lower()):
        raise ValueError(
            "dmarcReportAddress must be an email address (without the commas, semicolons or exclamation "
            f"marks DMARC's record reserves); got {value!r}"
        )
    return f"{local_part}@{domain.lower()}"


DEFAULT_DEV_SERVER_ORIGIN = "http://localhost:5173"  # Vite's dev server, which serves the console at /console/


def dev_server_origin(value: object) -> str | None:
    """`consoleDevOrigin`: unset or "false" for none, "true" for Vite's default, or an origin. Cognito
    takes plain http only for localhost, so any other origin must be https."""
    text = "" if value is None else str(value).strip().rstrip("/")
    if text.lower() in ("", "false"):
        return None
    if text.lower() == "true":
        return DEFAULT_DEV_SERVER_ORIGIN
    if not re.fullmatch(r"https://[\w.-]+(:\d+)?|http://(localhost|127\.0\.0\.1)(:\d+)?", text):
        raise ValueError(
            f"consoleDevOrigin must be true, false or an origin such as {DEFAULT_DEV_SERVER_ORIGIN} "
            f"(https, or http for localhost only, and no path); got {value!r}"
        )
    return text


def _comma_list(value: object) -> tuple[str, ...]:
    """A context value given as a list, or as text with its items separated by commas."""
    items = value if isinstance(value, list) else str(value).split(",")
    return tuple(str(item).strip() for item in items if str(item).strip())


def signup_trusted_servers(value: object) -> tuple[str, ...]:
    """`signupTrustedServers`: IP addresses or networks (CIDR), comma-separated (or a list)."""
    servers = _comma_list(value)
    for server in servers:
        try:
            ipaddress.ip_network(server)
        except ValueError as exc:
            raise ValueError(
                f"signupTrustedServers must be IP addresses or networks such as 203.0.113.0/28, comma-separated; "
                f"got {server!r} ({exc})"
            ) from exc
    return servers


def signup_origins(value: object) -> tuple[str, ...]:
    """`signupOrigins`: the shop's website origins, comma-separated (or a list), https only."""
    origins = tuple(item.rstrip("/") for item in _comma_list(value))
    for origin in origins:
        if not re.fullmatch(r"https://[\w.-]+(:\d+)?", origin):
            raise ValueError(f"signupOrigins must be https origins (no path), comma-separated; got {origin!r}")
    return origins
