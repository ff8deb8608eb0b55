from __future__ import annotations

from pynamodb.exceptions import CancellationReason, TransactWriteError, VerboseClientError

from marketing import clock
from marketing.campaigns.models.mailings import MailingRef
from marketing.campaigns.models.recipients import RecipientStatus
from marketing.campaigns.store import recipients as store
from marketing.campaigns.store.campaigns import CampaignRecord
from marketing.store import conditions


class ConflictOnce:
    """TransactWrite whose first commit meets another transaction on the same item, as DynamoDB
    reports it: cancelled with TransactionConflict, nothing applied."""

    def __init__(self, real):
        self.real, self.conflicts = real, 0

    def __call__(self, *args, **kwargs):
        transaction = self.real(*args, **kwargs)
        if self.conflicts:
            return transaction
        self.conflicts += 1
        commit = transaction._commit

        def conflicted():
            transaction._commit = commit
            cancelled = {"Error": {"Code": "TransactionCanceledException", "Message": "Transaction cancelled"}}
            reasons = [CancellationReason(code="TransactionConflict")]
            cause = VerboseClientError(cancelled, "TransactWriteItems", cancellation_reasons=reasons)
            raise TransactWriteError("Failed to write transaction items", cause)

        transaction._commit = conflicted
        return transaction


CMP_1 = MailingRef.campaign("cmp_1")


def test_claims_and_results_meeting_another_transaction_are_retried_and_applied_once(aws, monkeypatch):
    monkeypatch.setattr(conditions.time, "sleep", lambda seconds: None)
    now = clock.utcnow()
    monkeypatch.setattr(conditions, "TransactWrite", ConflictOnce(conditions.TransactWrite))
    claimed = store.claim(CMP_1, [store.Claim("ct_1", "ada@example.com")], "att_1", now)
    assert [claim.contact_id for claim in claimed] == ["ct_1"]

    monkeypatch.setattr(conditions, "TransactWrite", ConflictOnce(conditions.TransactWrite))
    store.record_results(CMP_1, [store.Result("ct_1", "att_1", RecipientStatus.SENT, message_id="m-1")], now)

    recipient = store.RecipientRecord.get("cmp_1", "ct_1")
    assert (recipient.status, recipient.attempts, recipient.message_id) == ("sent", 1, "m-1")
    # Recording again (a redelivered batch's worker) changes nothing: the claim is settled.
    store.record_results(CMP_1, [store.Result("ct_1", "att_1", RecipientStatus.FAILED, reason="late")], now)
    assert store.RecipientRecord.get("cmp_1", "ct_1").status == "sent"


def test_an_event_meeting_another_transaction_is_retried_and_counted_once(aws, monkeypatch):
    """Every event's transaction also adds to the audience's day, where all mailings meet: a
    cancelled one is run again, not lost as an error (an open, a click, a bounce)."""
    monkeypatch.setattr(conditions.time, "sleep", lambda seconds: None)
    now = clock.utcnow()
    store.claim(CMP_1, [store.Claim("ct_1", "ada@example.com")], "att_1", now)
    store.record_results(CMP_1, [store.Result("ct_1", "att_1", RecipientStatus.SENT, message_id="m-1")], now)
    monkeypatch.setattr(conditions, "TransactWrite", ConflictOnce(conditions.TransactWrite))
    assert store.record_deliveries(CMP_1, [("ct_1", now)], now) == {"ct_1"}
    assert store.record_deliveries(CMP_1, [("ct_1", now)], now) == set()  # once
    assert store.RecipientRecord.get("cmp_1", "ct_1").delivered_at is not None


def test_deliveries_are_recorded_together_each_once_and_counted_once(aws):
    now = clock.utcnow()
    claims = [store.Claim(f"ct_{n}", f"c{n}@example.com") for n in range(4)]
    store.claim(CMP_1, claims, "att_1", now)
    store.record_results(
        CMP_1, [store.Result(f"ct_{n}", "att_1", RecipientStatus.SENT, message_id=f"m-{n}") for n in range(4)], now
    )
    assert store.record_deliveries(CMP_1, [("ct_0", now)], now) == {"ct_0"}
    # Redelivered with the rest, and one of no recipient: those are left out, the others counted.
    again = [(f"ct_{n}", now) for n in range(4)] + [("ct_unknown", now)]
    assert store.record_deliveries(CMP_1, again, now) == {"ct_1", "ct_2", "ct_3"}
    assert store.record_deliveries(CMP_1, again, now) == set()
    assert CampaignRecord.get("cmp_1").delivered == 4
    assert store.RecipientRecord.count("cmp_1", filter_condition=store.RecipientRecord.delivered_at.exists()) == 4
