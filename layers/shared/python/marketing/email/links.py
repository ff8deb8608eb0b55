"""The signed links in an email: open pixel, click tracking, unsubscribe (a link, and the mailto
address of mailto.py), preference centre; and the double opt-in email's confirmation link.

Each token names one purpose (a click token cannot unsubscribe) and carries what its route needs:
the campaign (`c`) and contact (`k`), and for a click the id of a link written in the template
(`l`, store/links.py). The click route redirects only to a registered link, so it is no open
redirect even for a URL a merge field put into an email. Click tokens sent before links had ids
carry the URL (`u`); they redirect only if that URL is a registered link. An empty contact marks a
test send: its links work, nothing is recorded.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache
from typing import Any, NamedTuple
from urllib.parse import quote

from marketing.campaigns.models.mailings import MailingRef
from marketing.config import TokenSettings, load_settings
from marketing.email.mailto import MailtoUnsubscribe
from marketing.tokens import CompactSigner, InvalidToken, TokenSigner, deployment_signer

OPEN, CLICK, UNSUBSCRIBE, PREFERENCES = "open", "click", "unsubscribe", "preferences"
CONFIRM_SIGNUP = "confirm"  # a double opt-in email's link: it names the signup (`s`), no mailing


def link_id(url: str) -> str:
    """The id a link written in a template is registered under: a hash of its URL (96 bits), so
    registering a link again is the same write, and no id can be chosen to name another URL."""
    return base64.urlsafe_b64encode(hashlib.sha256(url.encode()).digest()[:12]).decode()


class Tracked(NamedTuple):
    campaign_id: str  # the mailing's id: a campaign's, or an automation email run's
    contact_id: str  # "" for a test send
    link_id: str | None = None  # of a click: the registered link it leads to

    @property
    def mailing(self) -> MailingRef:
        return MailingRef.named(self.campaign_id)


class EmailLinks:
    def __init__(self, signer: TokenSigner, base_url: str):
        self._signer = signer
        self._base = base_url.rstrip("/")
        self.mailto = MailtoUnsubscribe(CompactSigner(signer.keys))  # the same keys, a compact form

    def _token(self, purpose: str, campaign_id: str, contact_id: str, **extra: Any) -> str:
        return self._signer.sign(purpose, {"c": campaign_id, "k": contact_id, **extra})

    def open_url(self, campaign_id: str, contact_id: str) -> str:
        return f"{self._base}/track/open/{self._token(OPEN, campaign_id, contact_id)}/"

    def click_url(self, campaign_id: str, contact_id: str, link: str) -> str:
        """The tracked link to the registered link whose id is `link`."""
        return f"{self._base}/track/click/{self._token(CLICK, campaign_id, contact_id, l=link)}/"

    def unsubscribe_url(self, campaign_id: str, contact_id: str) -> str:
        return f"{self._base}/unsubscribe/?token={quote(self._token(UNSUBSCRIBE, campaign_id, contact_id))}"

    def unsubscribe_mailto(self, campaign_id: str, contact_id: str, domain: str) -> str | None:
        """`mailto:<token>@<domain>?subject=unsubscribe`, or None where the token would not fit."""
        address = self.mailto.address(campaign_id, contact_id, domain)
        return f"mailto:{address}?subject=unsubscribe" if address else None

    def preferences_url(self, campaign_id: str, contact_id: str) -> str:
        return f"{self._base}/preferences/?token={quote(self._token(PREFERENCES, campaign_id, contact_id))}"

    def confirmation_url(self, signup_id: str) -> str:
        return f"{self._base}/signup/confirm/?token={quote(self._signer.sign(CONFIRM_SIGNUP, {'s': signup_id}))}"

    def confirmed_signup(self, token: str) -> str:
        """The signup a confirmation link names; InvalidToken if we did not sign it for that."""
        signup_id = self._signer.verify(CONFIRM_SIGNUP, token).get("s")
        if not isinstance(signup_id, str):
            raise InvalidToken("incomplete token")
        return signup_id

    def verify(self, purpose: str, token: str) -> Tracked:
        """What a token says; InvalidToken if it was not signed by us for `purpose`."""
        claims = self._signer.verify(purpose, token)
        campaign_id, contact_id = claims.get("c"), claims.get("k")
        if not isinstance(campaign_id, str) or not isinstance(contact_id, str):
            raise InvalidToken("incomplete token")
        if purpose != CLICK:
            return Tracked(campaign_id, contact_id)
        link, url = claims.get("l"), claims.get("u")
        if isinstance(url, str):  # sent before links had ids: the id its URL is registered under
            link = link_id(url)
        if not isinstance(link, str):
            raise InvalidToken("click token without a link")
        return Tracked(campaign_id, contact_id, link)


@cache
def email_links() -> EmailLinks:
    """The links of this function's deployment (keys from Secrets Manager on first use)."""
    return EmailLinks(deployment_signer(), load_settings(TokenSettings).public_base_url)
