"""Creates local mode's AWS resources on the moto server: what the CDK stack creates in AWS.

Tables come from the same catalog CDK reads (marketing.store.tables.TABLES), so local and deployed
tables have the same keys and indexes. Returns the environment the functions run with.
"""

from __future__ import annotations

import secrets

import boto3
from botocore.exceptions import ClientError

from marketing.store.tables import TABLES
from marketing_local.config import RESOURCE_PREFIX, LocalConfig, aws_environment

TOKEN_SECRET_NAME = f"{RESOURCE_PREFIX}/token-signing-key"
SENDER_DOMAIN = "shop.example"


def table_name(env_var: str) -> str:
    return f"{RESOURCE_PREFIX}-{env_var.removesuffix('_TABLE').lower().replace('_', '-')}"


def _create_tables(environ: dict[str, str]) -> dict[str, str]:
    names = {}
    for model, env_var in TABLES.items():
        names[env_var] = table_name(env_var)
        model.Meta.table_name = names[env_var]
        model.Meta.region = environ["AWS_REGION"]
        model._connection = None
        if not model.exists():
            model.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
    return names


def _create_token_secret(session: boto3.Session, endpoint: str) -> None:
    client = session.client("secretsmanager", endpoint_url=endpoint)
    try:
        client.create_secret(Name=TOKEN_SECRET_NAME, SecretString=secrets.token_urlsafe(32))
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ResourceExistsException":
            raise


def _verify_sender(session: boto3.Session, endpoint: str) -> None:
    session.client("ses", endpoint_url=endpoint).verify_domain_identity(Domain=SENDER_DOMAIN)


def provision(config: LocalConfig) -> dict[str, str]:
    environ = aws_environment(config)
    session = boto3.Session(
        aws_access_key_id=environ["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=environ["AWS_SECRET_ACCESS_KEY"],
        region_name=environ["AWS_REGION"],
    )
    _create_token_secret(session, config.moto_endpoint)
    _verify_sender(session, config.moto_endpoint)
    return {
        **environ,
        **_create_tables(environ),
        "TOKEN_SECRET_NAME": TOKEN_SECRET_NAME,
        "PUBLIC_BASE_URL": f"{config.api_origin}/api/v1/marketing",
        "SENDER_DOMAIN": SENDER_DOMAIN,
    }
