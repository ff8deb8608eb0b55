"""The shared layer is built for Lambda's platform (arm64, CPython 3.12) without Docker."""

from __future__ import annotations

from infra.constructs.layer import PROVIDED_BY_RUNTIME, build_layer, layer_requirements


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
    assert (python / "marketing" / "services" / "templates.py").exists()
    assert not list(python.rglob("__pycache__"))
    assert not (python / "boto3").exists()
