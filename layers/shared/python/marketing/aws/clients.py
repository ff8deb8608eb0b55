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

# S3 by the bucket's regional virtual host (`https://<bucket>.s3.<region>.amazonaws.com`), signed with
# SigV4, for requests and pre-signed URLs alike: the console's browser PUTs an import's file to such a
# URL, and its Content-Security-Policy and the bucket's CORS name that origin (decision 78). Left to
# itself, botocore pre-signs for the legacy global host `<bucket>.s3.amazonaws.com` (with SigV2 in
# us-east-1), which S3 answers for a new bucket outside us-east-1 with a redirect that a browser's
# CORS preflight does not follow. A custom endpoint by IP address, as local mode's moto, stays
# addressed by path.
_SERVICE_SETTINGS: dict[str, dict[str, Any]] = {
    "s3": {
        "signature_version": "s3v4",
        "s3": {"addressing_style": "virtual", "us_east_1_regional_endpoint": "regional"},
    },
}


def client_config(service: str, max_attempts: int | None = None) -> Any:
    """The botocore Config of `service`'s client (None: botocore's defaults)."""
    from botocore.config import Config

    settings = dict(_SERVICE_SETTINGS.get(service, {}))
    if max_attempts:
        settings["retries"] = {"mode": "standard", "max_attempts": max_attempts}
    return Config(**settings) if settings else None


@cache
def client(service: str, max_attempts: int | None = None) -> Any:
    """The client of `service`; `max_attempts` caps the SDK's own retries (standard mode)."""
    import boto3

    config = client_config(service, max_attempts)
    with _one_at_a_time:
        return boto3.client(service, config=config)
