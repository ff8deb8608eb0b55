"""Opt-ins, single or double (issue 19, decision 85).

- The public signup form (`POST signup/`) always asks for a confirmation: a signup is kept for 7
  days and an email with a signed link is sent; following the link and pressing the page's button
  (done for the person by the page's script, which a link scanner does not run) subscribes them.
- The other channels follow their double opt-in policy (config.OptInSettings): the signed-in
  customer (`POST subscribers/`), the box ticked at registration (`user.registered`) and imports.
  `unverified_only` asks for a confirmation unless the identity provider or the shop says the
  person proved they own the address.
- Every answer to the form is the same, whatever the address (new, subscribed, unsubscribed,
  suppressed, on the do-not-email list): nobody learns from it whether an address is known. A
  caller is throttled (429: they know their own rate); an address over its limit, or one that
  bounced or complained, simply gets no email.
- A confirmation is recorded once: the signup's mark is conditional and written in the
  subscription's transaction with the consent log's two entries (the signup, then the confirmation).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from enum import StrEnum
from ipaddress import ip_address as parse_ip_address
from ipaddress import ip_network

from marketing import clock
from marketing.audience.address_hashes import address_hasher
from marketing.audience.models.consents import ConsentContext, ConsentFields, ConsentMethod
from marketing.audience.models.contacts import Contact
from marketing.audience.models.signups import Signup, SignupAccepted, SignupRequest
from marketing.audience.models.subscriber_requests import PreferencesPatch, SubscribeRequest
from marketing.audience.models.subscribers import Subscriber, SubscriberSource
from marketing.audience.services import confirmation_email, contacts, subscribers
from marketing.audience.store import signups as store
from marketing.auth import Principal
from marketing.aws.ses import SendOutcomeUnknown, SendRefused, SendRetryable
from marketing.config import DoubleOptIn, OptInSettings, load_settings
from marketing.email.links import email_links
from marketing.email.services.suppression import transactional_suppression
from marketing.errors import BusinessRuleViolation, Conflict, Throttled
from marketing.observability import logger
from marketing.store import attempts

# A form's visitor may sign up a few addresses (a family's); a bot posting from one address is
# stopped. An address gets a few confirmation emails a day at most, whoever asks.
SIGNUPS_PER_CALLER, CALLER_WINDOW = 10, timedelta(hours=1)
SIGNUPS_PER_ADDRESS, ADDRESS_WINDOW = 3, timedelta(days=1)
CALLER_SCOPE, ADDRESS_SCOPE = "signup-caller", "signup-address"


def _confirmation_asked(policy: DoubleOptIn, verified: bool) -> bool:
    return policy == DoubleOptIn.ALWAYS or (policy == DoubleOptIn.UNVERIFIED_ONLY and not verified)


def _policy() -> OptInSettings:
    return load_settings(OptInSettings)


def request_confirmation(
    email: str,
    how: ConsentContext,
    *,
    first_name: str = "",
    last_name: str = "",
    user_id: str | None = None,
    preferences: PreferencesPatch | None = None,
    made_for: str | None = None,
    retry_later: bool = False,
) -> bool:
    """Keeps a signup and emails its confirmation link; False, and nothing sent, if the address has
    had its share of confirmation emails today, or must never be mailed (bounced, complained), or
    SES refused the email, or the message it is `made_for` (a redelivered event) had its email.
    SES throttling (SendRetryable) forgets the signup, so the next try sends it: raised with
    `retry_later` (a worker's message is delivered again), else False."""
    now = clock.utcnow()
    address_key = address_hasher().hashes(_mailbox(email)).current.value  # no address in the counter's key
    if attempts.count(ADDRESS_SCOPE, address_key, now, ADDRESS_WINDOW) > SIGNUPS_PER_ADDRESS:
        logger.warning("signup not emailed: the address had its confirmation emails for today")
        return False
    suppressed = transactional_suppression(email)
    if suppressed is not None:
        logger.warning("signup not emailed: the address must not be mailed", reason=suppressed)
        return False
    signup = Signup(
        id=store.new_id(made_for),
        email=email,
        first_name=first_name,
        last_name=last_name,
        user_id=user_id,
        preferences=preferences,
        request=replace(how, at=how.at or now),
    )
    if not store.create(signup):
        logger.info("confirmation email already sent for this message", signup_id=signup.id)
        return False
    try:
        confirmation_email.send(signup)
    except SendRetryable as exc:
        store.forget(signup.id)
        if retry_later:
            raise
        logger.error("confirmation email not sent: SES did not take it now", signup_id=signup.id, reason=str(exc))
        return False
    except SendRefused as exc:
        logger.error("confirmation email refused by SES", signup_id=signup.id, reason=str(exc))
        return False
    except SendOutcomeUnknown as exc:  # SES may have it: the signup stays for its link, none is sent again
        logger.warning("confirmation email: no answer from SES", signup_id=signup.id, reason=str(exc))
        return False
    logger.info("confirmation email sent", signup_id=signup.id, method=how.method.value)
    return True


def _mailbox(email: str) -> str:
    """The inbox an address reaches, for its share of confirmation emails: `ada+1@…` and `ada+2@…`
    reach Ada's at most providers, so tagging an address does not give a flood another share."""
    local, _, domain = email.rpartition("@")
    return f"{local.split('+', 1)[0] or local}@{domain}"


# --- the public signup form ------------------------------------------------------------------------
def _from_shop_server(ip_address: str | None) -> bool:
    try:
        caller = parse_ip_address(ip_address or "")
    except ValueError:
        return False
    return any(caller in ip_network(server) for server in _policy().trusted_signup_servers)


def sign_up(request: SignupRequest, ip_address: str | None, user_agent: str | None) -> SignupAccepted:
    if request.website:
        logger.info("signup ignored: the honeypot field was filled in")
        return SignupAccepted()
    if not _from_shop_server(ip_address):
        # Anyone may post the form: what its body says of the visitor is believed from the shop's
        # servers only, else each post could name a new IP address and reset its caller's limit,
        # and the consent log would keep whatever a caller made up.
        request = request.model_copy(update={"ip_address": None, "user_agent": None})
    caller = request.ip_address or ip_address or "unknown"
    if attempts.count(CALLER_SCOPE, caller, clock.utcnow(), CALLER_WINDOW) > SIGNUPS_PER_CALLER:
        raise Throttled(f"more than {SIGNUPS_PER_CALLER} signups from this caller in an hour; try again later")
    how = ConsentContext.from_fields(
        ConsentMethod.SIGNUP_FORM, "subscriber", request, ip_address=ip_address, user_agent=user_agent
    )
    request_confirmation(
        request.email,
        how,
        first_name=request.first_name,
        last_name=request.last_name,
        preferences=request.preferences,
    )
    return SignupAccepted()


# --- the signed-in customer and the shop's registration --------------------------------------------
def subscribe_customer(
    principal: Principal, request: SubscribeRequest, ip_address: str | None, user_agent: str | None
) -> Subscriber | SignupAccepted:
    """The signed-in customer subscribes: at once, or once they confirm, as the policy says."""
    how = ConsentContext.from_fields(
        ConsentMethod.CUSTOMER_ACCOUNT,
        f"customer:{principal.id}",
        request.consent,
        ip_address=ip_address,
        user_agent=user_agent,
    )
    if not _confirmation_asked(_policy().customers, principal.email_verified):
        return subscribers.subscribe_customer(principal, request, how)
    contact = subscribers.customer_contact(principal, request, refuse_listed=False)
    request_confirmation(
        contact.email,
        how,
        first_name=request.first_name,
        last_name=request.last_name,
        user_id=principal.id,
        preferences=request.preferences,
    )
    return SignupAccepted()


class OptIn(StrEnum):
    SUBSCRIBED = "subscribed"
    CONFIRMATION_SENT = "confirmation sent"
    NOT_SENT = "confirmation not sent"


def opt_in_registered(contact: Contact, consent: ConsentFields | None, email_verified: bool, event_id: str) -> OptIn:
    """The box ticked at registration (`user.registered` event `event_id`): subscribed at once, or
    once confirmed, as the policy says. BusinessRuleViolation if the address may not be subscribed
    (opted out, suppressed, on the do-not-email list) and no confirmation is asked for."""
    how = ConsentContext.from_fields(ConsentMethod.SHOP_REGISTRATION, "shop", consent)
    how = replace(how, source=how.source or f"user.registered event {event_id}")
    if not _confirmation_asked(_policy().registrations, email_verified):
        subscribers.subscribe_contact(contact, SubscriberSource.WEBSITE, None, how)
        return OptIn.SUBSCRIBED
    sent = request_confirmation(
        contact.email,
        how,
        first_name=contact.first_name,
        last_name=contact.last_name,
        user_id=contact.user_id,
        made_for=f"user.registered:{event_id}",
    )
    return OptIn.CONFIRMATION_SENT if sent else OptIn.NOT_SENT


# --- the confirmation link -------------------------------------------------------------------------
class Confirmed(StrEnum):
    CONFIRMED = "confirmed"
    ALREADY = "already confirmed"
    EXPIRED = "expired"  # or never was: the answer does not tell an unknown signup from an old one
    REFUSED = "refused"  # the address bounced or was reported as spam meanwhile


def pending(token: str) -> Signup | None:
    """The signup a confirmation link names, if it still waits or was confirmed; InvalidToken for
    a link we did not sign."""
    return store.find(email_links().confirmed_signup(token))


def confirm(token: str, ip_address: str | None, user_agent: str | None) -> tuple[Confirmed, Signup | None]:
    """Subscribes the signup's address, as its owner asked and now confirmed. InvalidToken for a
    link we did not sign."""
    signup = pending(token)
    if signup is None:
        return Confirmed.EXPIRED, None
    if signup.confirmed_at is not None:
        return Confirmed.ALREADY, signup
    how = ConsentContext(ConsentMethod.CONFIRMATION_LINK, "subscriber", None, ip_address, user_agent)
    contact, _ = contacts.upsert(
        signup.email,
        {},
        {"first_name": signup.first_name, "last_name": signup.last_name, "user_id": signup.user_id},
    )
    try:
        subscribers.subscribe_contact(
            contact,
            _source_of(signup),
            signup.preferences,
            how,
            asked_in_person=True,
            confirms=signup,
            mark_confirmed=lambda tx: store.confirm(tx, signup.id, clock.utcnow()),
        )
    except Conflict:
        again = store.find(signup.id)
        if again is not None and again.confirmed_at is not None:
            return Confirmed.ALREADY, signup  # a second click at the same moment
        raise
    except BusinessRuleViolation as refused:  # bounced or complained since the signup
        logger.warning("confirmation refused", signup_id=signup.id, reason=refused.message)
        return Confirmed.REFUSED, signup
    return Confirmed.CONFIRMED, signup


def _source_of(signup: Signup) -> SubscriberSource:
    return SubscriberSource.IMPORT if signup.request.method == ConsentMethod.IMPORT else SubscriberSource.WEBSITE
