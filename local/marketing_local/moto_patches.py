"""moto as local mode runs it: DynamoDB's fixes (moto_dynamodb) and the speed-ups (moto_speedups).
Local mode's server, the benchmarks' server and the in-process tests apply this one set, so each
runs the same moto."""

from __future__ import annotations

from marketing_local import moto_dynamodb, moto_speedups


def apply() -> None:
    """Patches moto in this process (idempotent)."""
    moto_dynamodb.apply()
    moto_speedups.apply()
