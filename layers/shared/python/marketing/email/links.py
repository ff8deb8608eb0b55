"""The signed links in an email: open pixel, click tracking, unsubscribe (a link, and the mailto
address of mailto.py), preference centre; and the double opt-in email's confirmation link.

Each token names one purpose (a click token cannot unsubscribe) and carries what its route needs:
the campaign (`c`) and contact (`k`), and for a click the id of a link written in the template
(`l`, store/links.py). The click route redirects only to a registered link, so it is no open
redirect even for a URL a merge field put into an email. Click tokens sent before links had ids
carry the URL (`u`); they redirect only if that URL is a registered link. An empty contact marks a
test send: its links work, nothing is recorded.

An email's tokens are signed for its recipient (`RecipientLinks`, tokens.SubjectSigner): the
subject is the mailing and the contact, the name a click's link id, one key derived per email and
one short MAC per link (docs/decisions.md, 89). Tokens of the JSON form (`c`, `k`, `l` or `u`),
which emails sent before carry, verify as they always did.
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
from marketing.tokens import CompactSigner, InvalidToken, SubjectSigner, TokenSigner, deployment_signer

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


def _subject(campaign_id: str, contact_id: str) -> str | None:
    """What a recipient's tokens are signed for: `mailing NUL contact` in base64url; None for ids
    holding a NUL (not ids the platform makes), whose tokens take the JSON form."""
    if "\x00" in campaign_id or "\x00" in contact_id:
        return None
    return base64.urlsafe_b64encode(f"{campaign_id}\x00{contact_id}".encode()).decode().rstrip("=")


def _recipient(subject: str) -> tuple[str, str]:
    """The mailing and the contact a (verified) subject names."""
    try:
        ids = base64.urlsafe_b64decode(subject + "=" * (-len(subject) % 4)).decode().split("\x00")
    except ValueError as exc:  # binascii.Error and UnicodeDecodeError are ValueErrors
        raise InvalidToken("malformed subject") from exc
    if len(ids) != 2:
        raise InvalidToken("malformed subject")
    return ids[0], ids[1]


class EmailUrls(NamedTuple):
    open: str
    unsubscribe: str
    preferences: str
    clicks: list[str]  # in the order of the link ids asked for


class RecipientLinks:
    """The signed links of one email: the recipient's key is derived once, each link costs one short
    MAC (tokens.SubjectSigner). Tokens are URL-safe (base64url and dots): no quoting in a query."""

    def __init__(self, links: EmailLinks, campaign_id: str, contact_id: str):
        self._links, self._campaign_id, self._contact_id = links, campaign_id, contact_id
        subject = _subject(campaign_id, contact_id)
        self._signer: SubjectSigner | None = links.signer.for_subject(subject) if subject else None

    def _tokens(self, tokens: list[tuple[str, str]]) -> list[str]:
        """The token of each (purpose, link id or "") of `tokens`."""
        if self._signer is not None:
            return self._signer.sign_each(tokens)
        json_token, mailing, contact = self._links.json_token, self._campaign_id, self._contact_id
        return [
            json_token(purpose, mailing, contact, l=link) if link else json_token(purpose, mailing, contact)
            for purpose, link in tokens
        ]

    def email_urls(self, link_ids: list[str]) -> EmailUrls:
        """All the links of one email, signed at once: its pixel, its footer's and `link_ids`' clicks."""
        base = self._links.base
        opened, unsubscribe, preferences, *clicks = self._tokens(
            [(OPEN, ""), (UNSUBSCRIBE, ""), (PREFERENCES, ""), *[(CLICK, link) for link in link_ids]]
        )
        return EmailUrls(
            f"{base}/track/open/{opened}/",
            f"{base}/unsubscribe/?token={unsubscribe}",
            f"{base}/preferences/?token={preferences}",
            [f"{base}/track/click/{token}/" for token in clicks],
        )

    def open_url(self) -> str:
        return self.email_urls([]).open

    def click_urls(self, link_ids: list[str]) -> list[str]:
        """The tracked links to the registered links whose ids are `link_ids`, in their order."""
        base = self._links.base
        return [f"{base}/track/click/{token}/" for token in self._tokens([(CLICK, link) for link in link_ids])]

    def unsubscribe_url(self) -> str:
        return self.email_urls([]).unsubscribe

    def preferences_url(self) -> str:
        return self.email_urls([]).preferences


class EmailLinks:
    def __init__(self, signer: TokenSigner, base_url: str):
        self._signer = signer
        self._base = base_url.rstrip("/")
        self.mailto = MailtoUnsubscribe(CompactSigner(signer.keys))  # the same keys, a compact form

    @property
    def signer(self) -> TokenSigner:
        return self._signer

    @property
    def base(self) -> str:
        return self._base

    def json_token(self, purpose: str, campaign_id: str, contact_id: str, **extra: Any) -> str:
        """A token of the JSON form, as emails were signed before RecipientLinks."""
        return self._signer.sign(purpose, {"c": campaign_id, "k": contact_id, **extra})

    def recipient(self, campaign_id: str, contact_id: str) -> RecipientLinks:
        """The links of one email to `contact_id` of `campaign_id`: compose one email's with it."""
        return RecipientLinks(self, campaign_id, contact_id)

    def open_url(self, campaign_id: str, contact_id: str) -> str:
        return self.recipient(campaign_id, contact_id).open_url()

    def click_url(self, campaign_id: str, contact_id: str, link: str) -> str:
        """The tracked link to the registered link whose id is `link`."""
        return self.recipient(campaign_id, contact_id).click_urls([link])[0]

    def unsubscribe_url(self, campaign_id: str, contact_id: str) -> str:
        return self.recipient(campaign_id, contact_id).unsubscribe_url()

    def unsubscribe_mailto(self, campaign_id: str, contact_id: str, domain: str) -> str | None:
        """`mailto:<token>@<domain>?subject=unsubscribe`, or None where the token would not fit."""
        address = self.mailto.address(campaign_id, contact_id, domain)
        return f"mailto:{address}?subject=unsubscribe" if address else None

    def preferences_url(self, campaign_id: str, contact_id: str) -> str:
        return self.recipient(campaign_id, contact_id).preferences_url()

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
        if self._signer.is_subject_token(token):
            subject, link = self._signer.verify_subject(purpose, token)
            campaign_id, contact_id = _recipient(subject)
            if purpose != CLICK:
                if link:
                    raise InvalidToken("a link in a token of another purpose")
                return Tracked(campaign_id, contact_id)
            if not link:
                raise InvalidToken("click token without a link")
            return Tracked(campaign_id, contact_id, link)
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
