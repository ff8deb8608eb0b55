"""What a failed SES send means for the caller: SES's answer "not now", or no connection at all, is
a send to try again; a request that reached SES with no answer back may have been taken, so it is
never sent again blind, by the caller or by the SDK."""

from __future__ import annotations

import pytest
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)

from marketing.aws import clients, ses

ENDPOINT = "https://email.eu-west-2.amazonaws.com/v2/email/outbound-emails"


class FailingSes:
    def __init__(self, error: Exception):
        self.error = error

    def send_email(self, **_request):
        raise self.error


@pytest.fixture
def attempts(monkeypatch) -> list[int | None]:
    """The SDK attempts each call to SES was allowed (one: the SDK retries nothing itself)."""
    monkeypatch.setattr(ses.time, "sleep", lambda _seconds: None)
    return []


@pytest.fixture
def send_with(monkeypatch, attempts):
    def fail_with(error: Exception):
        def client(service: str, max_attempts: int | None = None) -> FailingSes:
            attempts.append(max_attempts)
            return FailingSes(error)

        monkeypatch.setattr(clients, "client", client)
        ses.send_raw("news@shop.example", "ada@example.com", b"mime", None)

    return fail_with


@pytest.mark.parametrize(
    "error", [ReadTimeoutError(endpoint_url=ENDPOINT), ConnectionClosedError(endpoint_url=ENDPOINT)]
)
def test_an_answer_lost_after_the_request_reached_ses_is_an_unknown_outcome(send_with, attempts, error):
    with pytest.raises(ses.SendOutcomeUnknown):
        send_with(error)
    assert attempts == [1]  # never sent again: SES may have the email


@pytest.mark.parametrize(
    "error",
    [
        EndpointConnectionError(endpoint_url=ENDPOINT),
        ConnectTimeoutError(endpoint_url=ENDPOINT),
        ClientError({"Error": {"Code": "TooManyRequestsException", "Message": "slow down"}}, "SendEmail"),
    ],
)
def test_no_connection_or_a_not_now_from_ses_is_a_send_to_try_again(send_with, attempts, error):
    with pytest.raises(ses.SendRetryable):
        send_with(error)
    answered = isinstance(error, ClientError)  # SES said "not now": tried once more at once
    assert attempts == [1, 1] if answered else [1]


def test_a_refusal_is_final(send_with, attempts):
    with pytest.raises(ses.SendRefused):
        send_with(ClientError({"Error": {"Code": "MessageRejected", "Message": "bad address"}}, "SendEmail"))
    assert attempts == [1]
