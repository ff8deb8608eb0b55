"""Settings from environment variables, validated once at cold start.

Each function declares the settings it needs as a pydantic model whose field aliases are the
environment variable names: the shared ones are here, a function's own beside it (a cold start
builds only the models it imports). `load_settings` fails the cold start naming every missing or
bad variable, instead of failing later on the first request that needs it.
"""

import os
from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from marketing.errors import ConfigError, ValidationFailed

SettingsT = TypeVar("SettingsT", bound=BaseModel)
NO_POSTAL_ADDRESS = (
    "the shop's postal address is not configured (CDK context shopPostalAddress, SHOP_POSTAL_ADDRESS): "
    "every marketing email must show it"
)


class BaseSettings(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="ignore", defer_build=True)

    region: str = Field(alias="AWS_REGION")


class TokenKeySettings(BaseSettings):
    """Where the deployment's secret is (tokens.py): what signs links and cursors, and what the
    do-not-email list's hashes are keyed with."""

    token_secret_name: str = Field(alias="TOKEN_SECRET_NAME")


class TokenSettings(TokenKeySettings):
    public_base_url: str = Field(alias="PUBLIC_BASE_URL")


class TrackingSettings(BaseSettings):
    """Whether opens and clicks are recorded per person only with the subscriber's consent
    (CDK context trackingConsentRequired; decision 82)."""

    tracking_consent_required: bool = Field(default=False, alias="TRACKING_CONSENT_REQUIRED")


def tracking_consent_required() -> bool:
    return load_settings(TrackingSettings).tracking_consent_required


class DoubleOptIn(StrEnum):
    """When a channel's opt-ins wait for the person's confirmation (docs/consent.md says what each
    means legally). The public signup form always does."""

    ALWAYS = "always"  # every opt-in (Germany: the proof of consent courts accept)
    UNVERIFIED_ONLY = "unverified_only"  # unless the shop proved the person owns the address
    NEVER = "never"  # the shop's own registration, account or form collected the consent


def _comma_separated(value: object) -> object:
    """An environment variable's list, written as its items separated by commas."""
    return tuple(item.strip() for item in value.split(",") if item.strip()) if isinstance(value, str) else value


def _networks(values: tuple[str, ...]) -> tuple[str, ...]:
    """Each an IP address or network (pydantic's own network type loads a module that costs every
    function's cold start several milliseconds: the standard library's parser instead)."""
    from ipaddress import ip_network

    for value in values:
        ip_network(value)  # ValueError: refused, naming the variable
    return values


class OptInSettings(BaseSettings):
    """Double opt-in per channel (CDK context doubleOptInCustomers, doubleOptInRegistrations,
    doubleOptInImports; decision 85). `never` keeps single opt-in, the consent log recording where
    the shop collected it."""

    customers: DoubleOptIn = Field(default=DoubleOptIn.NEVER, alias="DOUBLE_OPT_IN_CUSTOMERS")
    registrations: DoubleOptIn = Field(default=DoubleOptIn.NEVER, alias="DOUBLE_OPT_IN_REGISTRATIONS")
    imports: DoubleOptIn = Field(default=DoubleOptIn.NEVER, alias="DOUBLE_OPT_IN_IMPORTS")
    # The shop's servers, which may post the signup form for a visitor and say the visitor's IP
    # address and browser (CDK context signupTrustedServers): addresses or networks, comma-separated.
    trusted_signup_servers: Annotated[tuple[str, ...], BeforeValidator(_comma_separated), AfterValidator(_networks)] = (
        Field(default=(), alias="SIGNUP_TRUSTED_SERVERS")
    )


class GiftCardSettings(BaseSettings):
    """What a function that issues or redeems gift cards needs (codes.py)."""

    gift_card_secret_name: str = Field(alias="GIFT_CARD_SECRET_NAME")


class EmailSettings(TokenSettings):
    """What a function that sends email needs."""

    sender_address: str = Field(alias="SENDER_ADDRESS", description="Default From address, on a verified identity")
    configuration_set: str | None = Field(default=None, alias="SES_CONFIGURATION_SET")
    # Overrides the account's SES maximum send rate (emails per second) read from SES.
    max_send_rate: float | None = Field(default=None, alias="SES_MAX_SEND_RATE", gt=0)
    shop_name: str = Field(default="our shop", alias="SHOP_NAME")
    # The shop's postal address, printed in every marketing email's footer (CAN-SPAM); a campaign
    # is not sent, nor an automation activated, without one (decision 81).
    shop_postal_address: str | None = Field(default=None, alias="SHOP_POSTAL_ADDRESS")
    # From (and Reply-To) of transactional email (gift cards, confirmations); default the sender's.
    transactional_address: str | None = Field(default=None, alias="TRANSACTIONAL_SENDER_ADDRESS")
    # The domain SES receives the List-Unsubscribe mailto for (email/mailto.py); default
    # `unsubscribe.<the From address's domain>`, as the stack's default.
    unsubscribe_mail_domain: str | None = Field(default=None, alias="UNSUBSCRIBE_MAIL_DOMAIN")

    @property
    def postal_address(self) -> str | None:
        """The postal address on one line (a configured one may span lines), or None if unset."""
        lines = [line.strip() for line in (self.shop_postal_address or "").splitlines()]
        return ", ".join(line for line in lines if line) or None

    @property
    def transactional_sender(self) -> str:
        return self.transactional_address or self.sender_address

    def refuse_foreign_sender(self, from_email: str | None) -> None:
        """A From address must be on the sender's domain: the functions' SES permission holds them
        to it (an `ses:FromAddress` condition), so another one would only fail at send time."""
        domain = self.sender_address.rpartition("@")[2].lower()
        if from_email and from_email.rpartition("@")[2].lower() != domain:
            raise ValidationFailed.field("from_email", f"must be an address on the sender's domain, {domain}")


def load_settings(model: type[SettingsT], environ: Mapping[str, str] | None = None) -> SettingsT:
    environ = os.environ if environ is None else environ
    try:
        return model.model_validate(dict(environ))
    except ValidationError as exc:
        problems = ", ".join(
            f"{err['loc'][0]} ({'missing' if err['type'] == 'missing' else err['msg']})" for err in exc.errors()
        )
        raise ConfigError(f"{model.__name__}: bad or missing environment variables: {problems}") from exc
