"""Signups awaiting their double opt-in confirmation: the only code that knows how they are stored.

One item per signup under a random id (what the confirmation link names), deleted by DynamoDB's TTL
once its link has expired; until DynamoDB gets to it (up to a few days), reads skip it. A signup is
confirmed once: the mark is conditional and written in the subscription's own transaction.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import asdict
from datetime import datetime

from pynamodb.attributes import JSONAttribute, TTLAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import DoesNotExist
from pynamodb.models import Model

from marketing import clock
from marketing.audience.models.consents import ConsentContext, ConsentMethod
from marketing.audience.models.contacts import email_key
from marketing.audience.models.signups import Signup
from marketing.audience.models.subscriber_requests import PreferencesPatch
from marketing.errors import Conflict
from marketing.store.conditions import Transaction, applied
from marketing.store.table_meta import TableMeta


class SignupRecord(Model):
    class Meta(TableMeta):
        table_env = "SIGNUPS_TABLE"
        ttl_attribute = "expires"

    id = UnicodeAttribute(hash_key=True)
    email = UnicodeAttribute()
    first_name = UnicodeAttribute(default="")
    last_name = UnicodeAttribute(default="")
    user_id = UnicodeAttribute(null=True)
    preferences = UnicodeAttribute(null=True)  # the form's PreferencesPatch, as JSON
    request = JSONAttribute()  # the ConsentContext's fields but its time
    requested_at = UTCDateTimeAttribute()
    confirmed_at = UTCDateTimeAttribute(null=True)
    expires = TTLAttribute()

    def to_domain(self) -> Signup:
        return Signup(
            id=self.id,
            email=self.email,
            first_name=self.first_name,
            last_name=self.last_name,
            user_id=self.user_id,
            preferences=PreferencesPatch.model_validate_json(self.preferences) if self.preferences else None,
            request=ConsentContext(
                **{**self.request, "method": ConsentMethod(self.request["method"])}, at=self.requested_at
            ),
            confirmed_at=self.confirmed_at,
        )


def new_id(made_for: str | None = None) -> str:
    """A random id; or, for a signup made for a message (a shop event) that may be delivered
    twice, the same id each time, so its confirmation email goes once."""
    if made_for is None:
        return "su_" + secrets.token_urlsafe(16)
    return "su_" + base64.urlsafe_b64encode(hashlib.sha256(made_for.encode()).digest()[:16]).decode().rstrip("=")


def create(signup: Signup) -> bool:
    """Keeps the signup; False, and nothing written, if one with its id exists."""
    preferences = signup.preferences.model_dump_json(exclude_none=True) if signup.preferences else None
    request = {**asdict(signup.request), "method": signup.request.method.value}
    del request["at"]
    record = SignupRecord(
        signup.id,
        email=signup.email,
        first_name=signup.first_name,
        last_name=signup.last_name,
        user_id=signup.user_id,
        preferences=preferences,
        request=request,
        requested_at=signup.requested_at,
        confirmed_at=signup.confirmed_at,
        expires=signup.expires_at,
    )
    return applied(lambda: record.save(SignupRecord.id.does_not_exist()))


def find(signup_id: str, now: datetime | None = None) -> Signup | None:
    """The signup, unless there is none or its link has expired (DynamoDB's TTL deletes it later)."""
    try:
        signup = SignupRecord.get(signup_id, consistent_read=True).to_domain()
    except DoesNotExist:
        return None
    return signup if signup.expires_at > (now or clock.utcnow()) else None


def confirm(tx: Transaction, signup_id: str, confirmed_at: datetime) -> None:
    """Adds to `tx` the signup's confirmation: a Conflict if it was confirmed already."""
    tx.update(
        SignupRecord(signup_id),
        [SignupRecord.confirmed_at.set(confirmed_at)],
        SignupRecord.id.exists() & SignupRecord.confirmed_at.does_not_exist(),
        Conflict("this signup was confirmed already"),
        add_version_condition=False,
    )


def forget(signup_id: str) -> None:
    """Deletes a signup whose email could not be sent, so that trying again sends it."""
    SignupRecord(signup_id).delete(add_version_condition=False)


def forget_address(email: str) -> int:
    """Erasure: deletes every signup of the address (compared as contacts compare it, in any case),
    waiting, confirmed, or expired and not yet removed by TTL, so its link finds nothing and cannot
    subscribe the erased person again; how many.

    A scan, not an index on the address: the table holds a week of signups (plus TTL's lag) and
    only a rare erasure reads it this way, while an index would cost a write on every signup and,
    keyed on the lower-cased address, an attribute the signups stored before it lack."""
    erased = email_key(email)
    gone = [
        record for record in SignupRecord.scan(attributes_to_get=["id", "email"]) if email_key(record.email) == erased
    ]
    with SignupRecord.batch_write() as batch:
        for record in gone:
            batch.delete(record)
    return len(gone)
