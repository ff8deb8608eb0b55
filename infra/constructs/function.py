"""One way to make a platform function: the same runtime, architecture, layer, tracing, log
retention and Powertools settings everywhere; only the handler and its environment differ."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import AssetHashType, Duration, RemovalPolicy
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.config import LAMBDA_MEMORY_MB, METRICS_NAMESPACE
from infra.constructs.layer import ARCHITECTURE, REPO_ROOT, RUNTIME, compile_bytecode, copy_sources, local_bundling

FUNCTIONS_SOURCE = REPO_ROOT / "functions"


def build_functions(output_dir: Path) -> None:
    """The function code (every handler; each function runs one of them), with its bytecode."""
    copy_sources(FUNCTIONS_SOURCE, output_dir)
    compile_bytecode(output_dir)


class PlatformFunction(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        service: str,
        handler: str,
        layer: lambda_.ILayerVersion,
        environment: dict[str, str],
        timeout_seconds: int = 10,
        memory_size: int = LAMBDA_MEMORY_MB,
        snap_start: bool = False,
    ):
        super().__init__(scope, construct_id)
        self.log_group = logs.LogGroup(
            self, "Logs", retention=logs.RetentionDays.ONE_MONTH, removal_policy=RemovalPolicy.DESTROY
        )
        self.function = lambda_.Function(
            self,
            "Function",
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler=handler,
            code=lambda_.Code.from_asset(
                str(FUNCTIONS_SOURCE), asset_hash_type=AssetHashType.OUTPUT, bundling=local_bundling(build_functions)
            ),
            layers=[layer],
            memory_size=memory_size,
            timeout=Duration.seconds(timeout_seconds),
            tracing=lambda_.Tracing.ACTIVE,
            log_group=self.log_group,
            logging_format=lambda_.LoggingFormat.JSON,
            snap_start=lambda_.SnapStartConf.ON_PUBLISHED_VERSIONS if snap_start else None,
            environment={
                "POWERTOOLS_SERVICE_NAME": service,
                "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
                # Tracing is active, and Powertools' tracer would put every handler's response and
                # exception in X-Ray: gift-card codes, contact exports, pre-signed URLs.
                "POWERTOOLS_TRACER_CAPTURE_RESPONSE": "false",
                "POWERTOOLS_TRACER_CAPTURE_ERROR": "false",
                "LOG_LEVEL": "INFO",
                **environment,
            },
        )
