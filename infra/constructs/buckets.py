"""The one way the stack makes a bucket: private, encrypted, reachable over TLS only."""

from __future__ import annotations

from typing import Any

from aws_cdk import aws_s3 as s3
from constructs import Construct


def private_bucket(scope: Construct, construct_id: str, **settings: Any) -> s3.Bucket:
    """A bucket nobody reaches without IAM (all public access blocked), encrypted with S3-managed
    keys and refusing plain HTTP; `settings` adds what the bucket's use needs (lifetime, removal)."""
    return s3.Bucket(
        scope,
        construct_id,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        encryption=s3.BucketEncryption.S3_MANAGED,
        enforce_ssl=True,
        **settings,
    )
