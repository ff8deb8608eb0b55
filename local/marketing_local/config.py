"""Local mode's fixed contract (SPEC "Local mode") and its few overridable settings."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from marketing.catalog.staff_roles import StaffRole

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class StaffKeyPair:
    """A published local staff credential, and the role whose AWS managed policy it is held to."""

    access_key: str
    secret_key: str
    role: StaffRole


MANAGER_KEYS = StaffKeyPair("local-staff", "local-staff-secret", StaffRole.MANAGER)  # the SPEC's staff credential
ANALYST_KEYS = StaffKeyPair("local-analyst", "local-analyst-secret", StaffRole.ANALYST)
STAFF_KEY_PAIRS = {pair.access_key: pair for pair in (MANAGER_KEYS, ANALYST_KEYS)}
REGION = "eu-west-2"
ACCOUNT_ID = "123456789012"
JWT_AUDIENCE = "marketing-local"
# Names the local identity provider, whose key is in the state folder; not the API's origin, so a
# token made without the MKT_API_PORT the gateway runs on is still the local provider's token.
JWT_ISSUER = "https://local-idp.marketing.invalid/"
RESOURCE_PREFIX = "marketing-local"


@dataclass(frozen=True)
class LocalConfig:
    host: str = "127.0.0.1"
    api_port: int = field(default_factory=lambda: int(os.environ.get("MKT_API_PORT", "8080")))
    moto_port: int = field(default_factory=lambda: int(os.environ.get("MKT_MOTO_PORT", "5000")))
    state_dir: Path = field(default_factory=lambda: Path(os.environ.get("MKT_LOCAL_STATE", REPO_ROOT / ".local")))
    concurrency: int = field(default_factory=lambda: int(os.environ.get("MKT_LAMBDA_CONCURRENCY", "4")))

    @property
    def api_origin(self) -> str:
        return f"http://{self.host}:{self.api_port}"

    @property
    def moto_endpoint(self) -> str:
        return f"http://{self.host}:{self.moto_port}"


def aws_environment(config: LocalConfig) -> dict[str, str]:
    """Environment that points every AWS SDK call (boto3 and PynamoDB) at the moto server."""
    return {
        "AWS_ENDPOINT_URL": config.moto_endpoint,
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "local-function",
        "AWS_SECRET_ACCESS_KEY": "local-function-secret",
    }
