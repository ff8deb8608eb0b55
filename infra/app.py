"""The CDK app: `make synth` (or `cdk synth`) writes the CloudFormation template to cdk.out/.

Run it as a module from the repository root (`python -m infra.app`, as cdk.json does): run as a
script, infra/constructs/ would shadow the `constructs` library. cdk-nag's AwsSolutions checks
run on every synth, and an unacknowledged finding fails it.
"""

from __future__ import annotations

import os

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from infra.config import StackSettings
from infra.stack import MarketingStack


def build_app(context: dict | None = None, outdir: str | None = None) -> tuple[cdk.App, MarketingStack]:
    app = cdk.App(context=context, outdir=outdir)
    settings = StackSettings.from_context(app)
    stack = MarketingStack(
        app, settings.stack_name, settings=settings, description="Email marketing and growth platform for online shops"
    )
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return app, stack


if __name__ == "__main__":
    # The cdk CLI passes CDK_OUTDIR; `make synth` runs without it and writes to cdk.out/.
    application, _ = build_app(outdir=os.environ.get("CDK_OUTDIR", "cdk.out"))
    application.synth()
