"""The baseline for cold-start ratios: the least a Powertools HTTP API function has (logger,
metrics, tracer, an HTTP API resolver with one route), and nothing of this platform."""

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

logger = Logger()
metrics = Metrics()
tracer = Tracer()
app = APIGatewayHttpResolver()


@app.get("/ping")
def ping() -> dict:
    return {"ok": True}


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
