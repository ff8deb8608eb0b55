"""Local mode's saved state keeps a rotated key's previous version: links signed before the
rotation still verify after a restart."""

from __future__ import annotations

import boto3
from moto import mock_aws

from marketing_local.state import SavedState

REGION = "eu-west-2"


def _secrets():
    return boto3.client("secretsmanager", region_name=REGION)


def test_a_rotated_keys_current_and_previous_versions_survive_a_restart(tmp_path):
    with mock_aws():
        _secrets().create_secret(Name="local/token-signing-key", SecretString="first-key")
        _secrets().put_secret_value(SecretId="local/token-signing-key", SecretString="second-key")  # a rotation
        counts = SavedState(boto3.Session(region_name=REGION), None, tmp_path).save()
        assert counts.secrets == 1
    with mock_aws():  # the next start: resources made again, with a fresh key
        _secrets().create_secret(Name="local/token-signing-key", SecretString="made-at-start")
        SavedState(boto3.Session(region_name=REGION), None, tmp_path).restore()
        current = _secrets().get_secret_value(SecretId="local/token-signing-key", VersionStage="AWSCURRENT")
        previous = _secrets().get_secret_value(SecretId="local/token-signing-key", VersionStage="AWSPREVIOUS")
        assert (current["SecretString"], previous["SecretString"]) == ("second-key", "first-key")
