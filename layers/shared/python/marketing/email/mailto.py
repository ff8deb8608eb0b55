"""The mailto unsubscribe address of an email's List-Unsubscribe header: `<token>@<domain>`, the
domain one SES receives mail for (CDK context unsubscribeMailDomain; UNSUBSCRIBE_MAIL_DOMAIN) and
the token a compact signed form (marketing.tokens.CompactSigner) naming the mailing and the
recipient, as the one-click link's token does.

An address's local part holds at most 64 characters (RFC 5321), and mail systems may change its
case, so the token is base32 in lower case and carries ids in binary: an id as the platform makes
them (`cmp_` or `ct_` and 24 hex digits, an automation run's `aut_…` id with its order and entry)
in 12 bytes plus the run's numbers; any other id as its length and text. A campaign email's address
is 53 characters, an automation email's 56 to 60; an address that would exceed 64 (ids the
platform does not make) is not offered, and the header keeps only the one-click link.
"""

from __future__ import annotations

import base64
import binascii
import re
from functools import lru_cache

from marketing.campaigns.models.mailings import AutomationEmailRun, MailingKind, MailingRef
from marketing.tokens import CompactSigner, InvalidToken

PURPOSE = "unsubscribe-mailto"
NO_MAILTO = "off"  # UNSUBSCRIBE_MAIL_DOMAIN where the stack receives no mail: emails offer no mailto
LOCAL_PART_LIMIT = 64
CAMPAIGN_PREFIX, AUTOMATION_PREFIX, CONTACT_PREFIX = "cmp", "aut", "ct"
# The header's 3 flag bits: the mailing's form (2 bits) and the contact's (1 bit).
_CAMPAIGN, _AUTOMATION, _RAW_MAILING = 0, 1, 2
_RAW_CONTACT = 4
_ID_HEX_BYTES = 12  # ids.new_id: 96 random bits


@lru_cache(maxsize=4)
def _id_pattern(prefix: str) -> re.Pattern[str]:
    return re.compile(rf"{prefix}_([0-9a-f]{{{_ID_HEX_BYTES * 2}}})")


def _packed_id(value: str, prefix: str) -> bytes | None:
    """The 12 bytes of an id made by ids.new_id with `prefix`, or None for any other id."""
    found = _id_pattern(prefix).fullmatch(value)
    return bytes.fromhex(found.group(1)) if found else None


def _raw(value: str) -> bytes:
    data = value.encode()
    if len(data) > 255:
        raise ValueError("an id too long for an address")
    return bytes([len(data)]) + data


def _varint(number: int) -> bytes:
    out = bytearray()
    while True:
        byte, number = number & 0x7F, number >> 7
        out.append(byte | (0x80 if number else 0))
        if not number:
            return bytes(out)


class _Reader:
    def __init__(self, data: bytes):
        self._data, self._at = data, 0

    def take(self, size: int) -> bytes:
        if self._at + size > len(self._data):
            raise InvalidToken("truncated token")
        chunk = self._data[self._at : self._at + size]
        self._at += size
        return chunk

    def varint(self) -> int:
        number = shift = 0
        while True:
            byte = self.take(1)[0]
            number |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                return number
            if shift > 28:
                raise InvalidToken("malformed number")

    def raw(self) -> str:
        try:
            return self.take(self.take(1)[0]).decode()
        except UnicodeDecodeError as exc:
            raise InvalidToken("malformed id") from exc

    def end(self) -> None:
        if self._at != len(self._data):
            raise InvalidToken("trailing bytes")


@lru_cache(maxsize=32)  # the same for every email of a mailing
def _mailing(mailing_id: str) -> tuple[int, bytes]:
    ref = MailingRef.named(mailing_id)
    if ref.kind is MailingKind.AUTOMATION_EMAIL:
        run = ref.run
        packed = _packed_id(run.automation_id, AUTOMATION_PREFIX)
        if packed is not None and MailingRef.automation_email(run).id == mailing_id:  # no "01" to lose
            return _AUTOMATION, packed + _varint(run.order) + _varint(run.entry)
    else:
        packed = _packed_id(mailing_id, CAMPAIGN_PREFIX)
        if packed is not None:
            return _CAMPAIGN, packed
    return _RAW_MAILING, _raw(mailing_id)


def _encode(data: bytes) -> str:
    return base64.b32encode(data).decode().rstrip("=").lower()


def _decode(text: str) -> bytes:
    text = text.strip().upper()
    try:
        data = base64.b32decode(text + "=" * (-len(text) % 8))
    except (binascii.Error, ValueError) as exc:
        raise InvalidToken("not a base32 token") from exc
    # The last character's unused bits are ignored by the decoder: only the one spelling we write is
    # ours, so an address is either exactly what we sent or refused.
    if _encode(data) != text.lower():
        raise InvalidToken("not a token as we write it")
    return data


class MailtoUnsubscribe:
    def __init__(self, signer: CompactSigner):
        self._signer = signer

    def local_part(self, campaign_id: str, contact_id: str) -> str | None:
        """The signed local part naming the recipient of one mailing; None if it would not fit."""
        try:
            form, mailing = _mailing(campaign_id)
            contact = _packed_id(contact_id, CONTACT_PREFIX)
            if contact is None:
                form, contact = form | _RAW_CONTACT, _raw(contact_id)
        except ValueError:
            return None
        local = _encode(self._signer.sign(PURPOSE, form, mailing + contact))
        return local if len(local) <= LOCAL_PART_LIMIT else None

    def address(self, campaign_id: str, contact_id: str, domain: str) -> str | None:
        local = self.local_part(campaign_id, contact_id)
        return f"{local}@{domain.lower()}" if local else None

    def verify(self, address: str) -> tuple[str, str]:
        """The mailing and the contact an address names (its local part, in any case); InvalidToken
        if we did not sign it."""
        local = address.strip().strip("<>").rpartition("@")[0] or address
        if not local or len(local) > LOCAL_PART_LIMIT:
            raise InvalidToken("not an unsubscribe address")
        form, payload = self._signer.verify(PURPOSE, _decode(local))
        reader = _Reader(payload)
        mailing_form = form & 0b11
        if mailing_form == _CAMPAIGN:
            campaign_id = f"{CAMPAIGN_PREFIX}_{reader.take(_ID_HEX_BYTES).hex()}"
        elif mailing_form == _AUTOMATION:
            automation_id = f"{AUTOMATION_PREFIX}_{reader.take(_ID_HEX_BYTES).hex()}"
            run = AutomationEmailRun(automation_id, reader.varint(), reader.varint())
            campaign_id = MailingRef.automation_email(run).id
        elif mailing_form == _RAW_MAILING:
            campaign_id = reader.raw()
        else:
            raise InvalidToken("unknown mailing form")
        contact_id = reader.raw() if form & _RAW_CONTACT else f"{CONTACT_PREFIX}_{reader.take(_ID_HEX_BYTES).hex()}"
        reader.end()
        return campaign_id, contact_id
