"""Sending through Amazon SES (v2 `SendEmail` with raw MIME).

- Raw content, because only raw messages keep our headers (List-Unsubscribe, tags) intact.
- Message tags travel in the `X-SES-MESSAGE-TAGS` header of the MIME itself: SES publishes them
  with every event of that message, and local mode's event simulator reads them from the same
  place (moto keeps the raw message but drops request parameters).
- Throttling is a `SendRetryable`: the caller keeps the recipient for a later attempt instead of
  losing it. The account's `MaxSendRate` is shared out between senders by
  campaigns/services/send_rate.py.
- A send is never retried blind: `SendEmail` is not idempotent, and a request that reached SES but
  got no answer (the read timed out, the connection broke) may have been taken. That is
  `SendOutcomeUnknown`, and the SDK retries nothing on this client: only a request that never
  reached SES (no connection) or that SES answered "not now" is a `SendRetryable`.
"""

from __future__ import annotations

import random
import time
from typing import Any

from marketing.aws import clients
from marketing.observability import logger

# SES (v2 and v1) error codes that mean "not now" rather than "never".
_RETRYABLE = {
    "TooManyRequestsException",
    "Throttling",
    "ThrottlingException",
    "SendingPausedException",
    "ServiceUnavailable",
    "InternalFailure",
    "RequestTimeout",
}


ANSWERED_RETRIES = 1  # a "not now" SES answered, tried again at once before the caller backs off


class SendRetryable(Exception):
    """SES did not take the email now (throttled, paused, unavailable): try again later."""


class SendRefused(Exception):
    """SES will never take this email as it is (bad address, unverified sender, rejected)."""


class SendOutcomeUnknown(Exception):
    """The request reached SES and no answer came back: SES may have taken the email, so nothing
    may send it again until SES's Send event (or its absence) says whether it did."""


def _client(service: str) -> Any:
    # Few quick SDK retries for reads: a throttled one goes back to the caller, who backs off.
    return clients.client(service, max_attempts=2)


def send_raw(from_address: str, to: str, mime: bytes, configuration_set: str | None) -> str:
    """Sends one message; returns SES's message id. SendRetryable or SendRefused if it did not."""
    from botocore.exceptions import ClientError, HTTPClientError
    from botocore.exceptions import ConnectionError as NotConnected

    request: dict[str, Any] = {
        "FromEmailAddress": from_address,
        "Destination": {"ToAddresses": [to]},
        "Content": {"Raw": {"Data": mime}},
    }
    if configuration_set:
        request["ConfigurationSetName"] = configuration_set
    # The SDK retries nothing on this client: it would send again after a read timeout, when SES
    # may have the email. What it did for SES's own "not now" is done here: once more, after a
    # pause of up to a second (its backoff), since an answered refusal took nothing.
    retries = 0
    while True:
        try:
            return clients.client("sesv2", max_attempts=1).send_email(**request)["MessageId"]
        except ClientError as exc:
            error = exc.response.get("Error", {})
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
            if error.get("Code") not in _RETRYABLE and status < 500:
                raise SendRefused(f"{error.get('Code')}: {error.get('Message')}") from exc
            if retries == ANSWERED_RETRIES:
                raise SendRetryable(f"{error.get('Code')}: {error.get('Message')}") from exc
        except NotConnected as exc:  # no connection, so no request: SES has nothing
            raise SendRetryable(f"SES could not be reached: {exc}") from exc
        except HTTPClientError as exc:  # sent, and the answer was lost on the way back
            raise SendOutcomeUnknown(f"no answer from SES: {exc}") from exc
        retries += 1
        time.sleep(random.random())  # noqa: S311 - jitter, not security


def is_verified_sender(address: str) -> bool:
    """Whether SES lets us send from `address`: it, or its domain, is a verified identity."""
    from botocore.exceptions import ClientError

    for identity in (address, address.rpartition("@")[2]):
        try:
            found = _client("sesv2").get_email_identity(EmailIdentity=identity)
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "NotFoundException":
                raise
            continue
        if found.get("VerifiedForSendingStatus") or found.get("VerificationStatus") == "SUCCESS":
            return True
    return False


def account_send_rate() -> float:
    """Emails per second the account may send (SES's MaxSendRate), as SES says now."""
    quota = _client("ses").get_send_quota()
    rate = float(quota.get("MaxSendRate") or 1)
    logger.info("SES send quota read", max_send_rate=rate, max_24_hour_send=quota.get("Max24HourSend"))
    return rate
