"""The signed links in an email: open pixel, click tracking, unsubscribe, preference centre.

Each token names one purpose (a click token cannot unsubscribe) and carries what its route needs:
the campaign (`c`) and contact (`k`), and for a click the destination (`u`). A click can only
reach a URL that was signed into the email it came from, so the route is no open redirect, and
nothing is stored per link. An empty contact marks a test send: its links work, nothing is recorded.
"""

from __future__ import annotations

from functools import cache
from typing import Any, NamedTuple
from urllib.parse import quote

from marketing.config import TokenSettings, load_settings
from marketing.tokens import InvalidToken, TokenSigner, secret_key_provider

OPEN, CLICK, UNSUBSCRIBE, PREFERENCES = "open", "click", "unsubscribe", "preferences"


class Tracked(NamedTuple):
    campaign_id: str
    contact_id: str  # "" for a test send
    url: str | None = None


class EmailLinks:
    def __init__(self, signer: TokenSigner, base_url: str):
        self._signer = signer
        self._base = base_url.rstrip("/")

    def _token(self, purpose: str, campaign_id: str, contact_id: str, **extra: Any) -> str:
        return self._signer.sign(purpose, {"c": campaign_id, "k": contact_id, **extra})

    def open_url(self, campaign_id: str, contact_id: str) -> str:
        return f"{self._base}/track/open/{self._token(OPEN, campaign_id, contact_id)}/"

    def click_url(self, campaign_id: str, contact_id: str, url: str) -> str:
        return f"{self._base}/track/click/{self._token(CLICK, campaign_id, contact_id, u=url)}/"

    def unsubscribe_url(self, campaign_id: str, contact_id: str) -> str:
        return f"{self._base}/unsubscribe/?token={quote(self._token(UNSUBSCRIBE, campaign_id, contact_id))}"

    def preferences_url(self, campaign_id: str, contact_id: str) -> str:
        return f"{self._base}/preferences/?token={quote(self._token(PREFERENCES, campaign_id, contact_id))}"

    def verify(self, purpose: str, token: str) -> Tracked:
        """What a token says; InvalidToken if it was not signed by us for `purpose`."""
        claims = self._signer.verify(purpose, token)
        campaign_id, contact_id, url = claims.get("c"), claims.get("k"), claims.get("u")
        if not isinstance(campaign_id, str) or not isinstance(contact_id, str):
            raise InvalidToken("incomplete token")
        if purpose == CLICK and not (isinstance(url, str) and url.startswith(("https://", "http://"))):
            raise InvalidToken("click token without a web link")
        return Tracked(campaign_id, contact_id, url if purpose == CLICK else None)


@cache
def email_links() -> EmailLinks:
    """The links of this function's deployment (key from Secrets Manager on first use)."""
    settings = load_settings(TokenSettings)
    return EmailLinks(TokenSigner(secret_key_provider(settings.token_secret_name)), settings.public_base_url)
