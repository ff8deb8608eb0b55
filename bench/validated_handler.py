"""A second reference for cold-start ratios: the bare handler plus Powertools request validation
with one pydantic body, the part of the API function's cold start that validation alone costs."""

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from pydantic import BaseModel

logger = Logger()
metrics = Metrics()
tracer = Tracer()
app = APIGatewayHttpResolver(enable_validation=True)


class Ping(BaseModel):
    message: str


@app.post("/ping")
def ping(body: Ping) -> Ping:
    return body


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict, context: object) -> dict:
    return app.resolve(event, context)
