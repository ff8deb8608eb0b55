from __future__ import annotations

import json
from pathlib import Path

import pytest
from aws_cdk.assertions import Template

from infra.app import build_app

REPO_ROOT = Path(__file__).resolve().parents[2]

# The context `cdk synth` reads from cdk.json (its feature flags shape the template: IAM policy
# minimisation, for one), so the tests check the template that deploys. Bundling (the layer
# build) is skipped here; tests/infra/test_layer.py builds the layer itself.
SYNTH_CONTEXT = {
    **json.loads((REPO_ROOT / "cdk.json").read_text())["context"],
    "aws:cdk:bundling-stacks": [],
    "jwtIssuer": "https://idp.shop.test/",
    "jwtAudience": "shop-app",
}


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory):
    outdir = tmp_path_factory.mktemp("cdk.out")
    app, stack = build_app(context=SYNTH_CONTEXT, outdir=str(outdir))
    assembly = app.synth()  # fails on any unacknowledged cdk-nag finding
    return stack, outdir / f"{stack.stack_name}.template.json", assembly


@pytest.fixture(scope="session")
def template(synthesized) -> Template:
    stack, _, _ = synthesized
    return Template.from_stack(stack)
