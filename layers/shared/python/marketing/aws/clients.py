"""AWS clients, made on first use and kept for the container's life.

boto3 is imported here, on the first client a function asks for: it costs a cold start about
0.1 s that most invocations of most functions never need (decision 75). Clients are made one at
a time: boto3's default session is not thread-safe, and the delivery workers' send threads, the
token keys and SES's clients may all ask at once.
"""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

_one_at_a_time = threading.Lock()


@cache
def client(service: str, max_attempts: int | None = None) -> Any:
    """The client of `service`; `max_attempts` caps the SDK's own retries (standard mode)."""
    import boto3
    from botocore.config import Config

    config = Config(retries={"mode": "standard", "max_attempts": max_attempts}) if max_attempts else None
    with _one_at_a_time:
        return boto3.client(service, config=config)
