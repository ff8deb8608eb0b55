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


# Every context option that changes the template from the default, in one second synth (each synth
# costs about ten seconds of CPU): the options touch separate parts of the stack, and each test of
# one looks only at its own part.
VARIANT_CONTEXT = {
    **SYNTH_CONTEXT,
    "apiSnapStart": "true",
    "consoleMfa": "optional",
    "consoleDevOrigin": "true",
    "unsubscribeMailDomain": "off",
    "senderIdentity": "existing",
    "dmarcReportAddress": "DMARC-Reports@Example.com",
    "signupOrigins": "https://shop.example, https://www.shop.example/",
    "signupTrustedServers": "203.0.113.7, 2001:db8::/64",
    "doubleOptInCustomers": "always",
    "doubleOptInImports": "unverified_only",
}


@pytest.fixture(scope="session")
def variant_template(tmp_path_factory) -> Template:
    """The stack with every non-default option above (cdk-nag included)."""
    app, stack = build_app(context=VARIANT_CONTEXT, outdir=str(tmp_path_factory.mktemp("cdk.out")))
    app.synth()
    return Template.from_stack(stack)
