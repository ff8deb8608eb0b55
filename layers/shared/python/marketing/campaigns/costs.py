"""What a campaign costs on AWS, per recipient, in USD at list prices (SES outside the free tier).

The platform's share per recipient is what `bench/campaign_send.py` measured for 10,000
recipients on the moto server (requests and units counted, priced; Lambda billed for its CPU
time): the send path (SQS, DynamoDB, Lambda) and the SES events that come back for every email
(Send and Delivery, through EventBridge, SQS, the events worker and DynamoDB). Run the benchmark
again after changing either path, and update these figures with its output.
"""

from __future__ import annotations

from decimal import Decimal

SES_PER_EMAIL = Decimal("0.0001")  # $0.10 per 1,000 emails
SEND_PATH_PER_RECIPIENT = Decimal("0.0000027")  # $2.70 per 1M (benchmark, 10,000 recipients)
EVENTS_PATH_PER_RECIPIENT = Decimal("0.0000038")  # $3.80 per 1M (benchmark, 300 recipients)
PLATFORM_PER_RECIPIENT = SEND_PATH_PER_RECIPIENT + EVENTS_PATH_PER_RECIPIENT
PER_RECIPIENT = SES_PER_EMAIL + PLATFORM_PER_RECIPIENT
USD = Decimal("0.0001")


def usd(amount: Decimal) -> Decimal:
    return amount.quantize(USD)
