"""What SES would publish about each email it accepted, in local mode.

Every message moto's SES accepted gets the events a configuration set publishes to EventBridge:
`Email Sent`, then for each recipient what SES's mailbox simulator does for that address
(bounce@ → a permanent bounce, complaint@ → delivery and a complaint, suppressionlist@ → a bounce
on the suppression list) and `Email Delivered` for any other address. They go to the default bus
with source `aws.ses`, so the same rule, queue and worker as in AWS handle them.
"""

from __future__ import annotations

import email
import json
import threading
import uuid
from datetime import UTC, datetime
from email import policy
from email.utils import getaddresses
from typing import Any

from marketing.catalog.topology import SES_EVENT_SOURCE, SES_EVENT_TYPES
from marketing.email.services.email_message import parse_message_tags
from marketing_local.config import ACCOUNT_ID, REGION

SIMULATOR_DOMAIN = "simulator.amazonses.com"
# The mailbox simulator's addresses local mode honours (a +label after the name works too), and what
# their emails do; any other address is delivered. The banner lists them.
MAILBOX_SIMULATOR = {
    "success": "delivered",
    "ooto": "delivered (an out-of-office reply in AWS, nothing here)",
    "bounce": "a permanent bounce: the subscriber becomes bounced",
    "suppressionlist": "a permanent bounce, as on SES's suppression list",
    "complaint": "delivered, then a complaint: the subscriber becomes complained",
}
POLL_SECONDS = 0.5


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _record(event_type: str, mail: dict[str, Any], **body: Any) -> dict[str, Any]:
    return {"eventType": event_type, "mail": mail, **body}


def _outcomes(address: str, now: str) -> list[dict[str, Any]]:
    """The event bodies SES's mailbox simulator produces for one recipient (any other address: delivered)."""
    local, _, domain = address.lower().partition("@")
    local = local.split("+", 1)[0]
    delivered = {"eventType": "Delivery", "delivery": {"timestamp": now, "recipients": [address]}}
    if domain != SIMULATOR_DOMAIN or local in ("success", "ooto"):
        return [delivered]
    if local in ("bounce", "suppressionlist"):
        sub_type = "General" if local == "bounce" else "OnAccountSuppressionList"
        return [
            {
                "eventType": "Bounce",
                "bounce": {
                    "bounceType": "Permanent",
                    "bounceSubType": sub_type,
                    "bouncedRecipients": [{"emailAddress": address, "status": "5.1.1", "action": "failed"}],
                    "timestamp": now,
                    "feedbackId": str(uuid.uuid4()),
                },
            }
        ]
    if local == "complaint":
        complaint = {
            "eventType": "Complaint",
            "complaint": {
                "complainedRecipients": [{"emailAddress": address}],
                "timestamp": now,
                "feedbackId": str(uuid.uuid4()),
                "complaintFeedbackType": "abuse",
            },
        }
        return [delivered, complaint]
    return [delivered]


def events_for(message_id: str, raw: str) -> list[dict[str, Any]]:
    """PutEvents entries (default bus) for one accepted message."""
    parsed = email.message_from_string(raw, policy=policy.default)
    now = _iso(datetime.now(UTC))
    recipients = [
        address for _, address in getaddresses([str(parsed.get(name, "")) for name in ("To", "Cc")]) if address
    ]
    tags = {name: [value] for name, value in parse_message_tags(str(parsed.get("X-SES-MESSAGE-TAGS", ""))).items()}
    mail = {
        "timestamp": now,
        "messageId": message_id,
        "source": str(parsed.get("From", "")),
        "sendingAccountId": ACCOUNT_ID,
        "destination": recipients,
        "tags": tags,
    }
    records = [_record("Send", mail, send={})]
    for address in recipients:
        records += [_record(outcome.pop("eventType"), mail, **outcome) for outcome in _outcomes(address, now)]
    return [
        {
            "Source": SES_EVENT_SOURCE,
            "DetailType": SES_EVENT_TYPES[record["eventType"].upper()],
            "Detail": json.dumps(record),
            "EventBusName": "default",
        }
        for record in records
    ]


class SesEventSimulator:
    """Publishes the events of every email moto's SES accepted since it started (a thread)."""

    def __init__(self, events_client: Any):
        self._events = events_client
        self._seen = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ses-events", daemon=True)

    def publish_new(self) -> int:
        from moto.ses.models import ses_backends

        messages = list(ses_backends[ACCOUNT_ID][REGION].sent_messages)
        new, self._seen = messages[self._seen :], len(messages)
        for message in new:
            raw = getattr(message, "raw_data", None)
            if raw:
                entries = events_for(message.id, raw)
                for start in range(0, len(entries), 10):
                    self._events.put_events(Entries=entries[start : start + 10])
        return len(new)

    def _run(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            try:
                self.publish_new()
            except Exception as exc:  # keep simulating; say why this round failed
                print(f"[ses-simulator] {exc}", flush=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
