"""The shared layer is built for Lambda's platform (arm64, CPython 3.12) without Docker."""

from __future__ import annotations

import pytest

from infra.constructs.function import build_functions
from infra.constructs.layer import PROVIDED_BY_RUNTIME, build_layer, layer_requirements, runtime_python

needs_runtime_python = pytest.mark.skipif(runtime_python() is None, reason="no CPython 3.12 on this machine")


def test_requirements_come_from_the_lock_without_the_runtimes_own_packages():
    names = {line.split("==")[0].lower() for line in layer_requirements()}
    assert {"aws-lambda-powertools", "pydantic", "pydantic-core", "pynamodb", "jinja2"} <= names
    assert not names & PROVIDED_BY_RUNTIME
    assert all("==" in line for line in layer_requirements())


def test_the_built_layer_holds_aarch64_wheels_and_the_marketing_package(tmp_path):
    build_layer(tmp_path)
    python = tmp_path / "python"
    (core,) = (python / "pydantic_core").glob("_pydantic_core*.so")
    assert "cpython-312-aarch64-linux-gnu" in core.name
    assert core.read_bytes()[18] == 0xB7  # ELF e_machine = EM_AARCH64
    assert (python / "marketing" / "email" / "services" / "templates.py").exists()
    assert not (python / "boto3").exists()


def _bytecode_for_312_without_timestamp_checks(pyc: bytes) -> bool:
    # Header: magic (3.12's is 3531), then flags: bit 0 hash-based, bit 1 check the source.
    return int.from_bytes(pyc[:2], "little") == 3531 and int.from_bytes(pyc[4:8], "little") == 0b01


@needs_runtime_python
def test_the_layer_and_the_functions_carry_bytecode_for_the_runtime(tmp_path):
    """Lambda's code is read-only: a module without bytecode is compiled at every cold start."""
    build_layer(tmp_path / "layer")
    build_functions(tmp_path / "functions")
    for root in (tmp_path / "layer" / "python", tmp_path / "functions"):
        sources = list(root.rglob("*.py"))
        assert sources
        for source in sources:
            pyc = source.parent / "__pycache__" / f"{source.stem}.cpython-312.pyc"
            assert _bytecode_for_312_without_timestamp_checks(pyc.read_bytes()), source
    assert not list((tmp_path / "functions").rglob("*.cpython-311.pyc"))  # nothing of this machine's Python
