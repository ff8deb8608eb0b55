"""The shared Lambda layer: the `marketing` package plus its third-party dependencies, built for
Lambda's platform (arm64, CPython 3.12) from the lock file, on this machine and without Docker.

Wheels are chosen for the target platform by `uv pip install --python-platform`, so a compiled
dependency (pydantic-core) arrives as its aarch64 build whatever machine synthesizes. Packages the
Lambda runtime already provides (boto3 and its dependencies) stay out of the layer.

The layer and the function code carry their bytecode, compiled by a CPython of the runtime's
version: Lambda's code directories are read-only, so a module without it is compiled again at
every cold start (for this layer, about three times the import time; decision 49).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Callable
from functools import cache
from pathlib import Path

import jsii
from aws_cdk import AssetHashType, BundlingOptions, DockerImage, ILocalBundling
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

REPO_ROOT = Path(__file__).resolve().parents[2]
LAYER_SOURCE = REPO_ROOT / "layers" / "shared"
RUNTIME = lambda_.Runtime.PYTHON_3_12
ARCHITECTURE = lambda_.Architecture.ARM_64
PROVIDED_BY_RUNTIME = {"boto3", "botocore", "s3transfer", "jmespath", "urllib3", "python-dateutil", "six"}


def _uv() -> str:
    beside_python = Path(sys.executable).parent / "uv"
    return str(beside_python) if beside_python.exists() else (shutil.which("uv") or "uv")


@cache
def runtime_python() -> str | None:
    """A CPython of the Lambda runtime's version on this machine (bytecode is version-specific)."""
    version = RUNTIME.name.removeprefix("python")
    pyenv_builds = sorted((Path.home() / ".pyenv" / "versions").glob(f"{version}.*/bin/python{version}"), reverse=True)
    for candidate in [shutil.which(f"python{version}"), *map(str, pyenv_builds)]:
        if candidate is None:
            continue
        probe = subprocess.run(
            [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], capture_output=True, text=True
        )
        if probe.returncode == 0 and probe.stdout.strip() == version:
            return candidate
    return None


def compile_bytecode(directory: Path) -> None:
    """Writes the bytecode of every module under `directory`, for the runtime's CPython. Unchecked
    hash-based: Lambda loads it without comparing the source's timestamp, which unzipping changes."""
    python = runtime_python()
    if python is None:
        warnings.warn(
            f"no CPython {RUNTIME.name.removeprefix('python')} on this machine: the code ships without bytecode, "
            "and each cold start compiles it",
            stacklevel=2,
        )
        return
    command = [python, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash", str(directory)]
    subprocess.run(command, check=True)


def layer_requirements() -> list[str]:
    """`name==version` of every runtime dependency in uv.lock that the layer must carry."""
    exported = subprocess.run(
        [_uv(), "export", "--frozen", "--no-dev", "--no-emit-project", "--no-hashes", "--no-header", "--no-annotate"],
        cwd=REPO_ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    requirements = [line.strip() for line in exported.splitlines() if line.strip() and not line.startswith("#")]
    return [line for line in requirements if line.split("==")[0].lower() not in PROVIDED_BY_RUNTIME]


def build_layer(output_dir: Path) -> None:
    """Writes the layer's contents (`python/…`) into `output_dir`."""
    target = output_dir / "python"
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as requirements:
        requirements.write("\n".join(layer_requirements()) + "\n")
        requirements.flush()
        subprocess.run(
            [
                _uv(),
                "pip",
                "install",
                "--quiet",
                "--target",
                str(target),
                "--python-platform",
                "aarch64-manylinux2014",
                "--python-version",
                RUNTIME.name.removeprefix("python"),
                "--only-binary",
                ":all:",
                "--no-deps",
                "--requirement",
                requirements.name,
            ],
            cwd=REPO_ROOT,
            check=True,
        )
    copy_sources(LAYER_SOURCE / "python" / "marketing", target / "marketing")
    compile_bytecode(target)


def copy_sources(source: Path, target: Path) -> None:
    """Copies a source tree without this machine's bytecode (another Python version's)."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"), dirs_exist_ok=True)


@jsii.implements(ILocalBundling)
class LocalBuild:
    """Bundling done on this machine by `build(output_dir)`: no Docker is needed."""

    def __init__(self, build: Callable[[Path], None]):
        self._build = build

    def try_bundle(self, output_dir: str, *args: object, **kwargs: object) -> bool:
        self._build(Path(output_dir))
        return True


def local_bundling(build: Callable[[Path], None]) -> BundlingOptions:
    return BundlingOptions(
        # Never used: local bundling always succeeds, so no Docker is needed.
        image=DockerImage.from_registry("public.ecr.aws/sam/build-python3.12"),
        local=LocalBuild(build),
    )


class SharedLayer(Construct):
    def __init__(self, scope: Construct, construct_id: str):
        super().__init__(scope, construct_id)
        self.layer = lambda_.LayerVersion(
            self,
            "Layer",
            code=lambda_.Code.from_asset(
                str(LAYER_SOURCE),
                asset_hash_type=AssetHashType.OUTPUT,
                bundling=local_bundling(build_layer),
            ),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[ARCHITECTURE],
            description="marketing platform: shared domain code and dependencies",
        )
