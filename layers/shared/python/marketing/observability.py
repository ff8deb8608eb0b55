"""One logger, metrics and tracer per function, configured by Powertools' environment variables
(POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE, POWERTOOLS_TRACE_DISABLED, LOG_LEVEL).
Traces never carry a handler's response or exception (POWERTOOLS_TRACER_CAPTURE_RESPONSE and
POWERTOOLS_TRACER_CAPTURE_ERROR are false for every function): both may hold personal data or secrets.

Every log line carries a `correlation_id`: the API request's id, carried on by the messages it
sends (SQS attribute), the automation run it starts (kept on the run), and the emails it sends
(SES message tag, which SES's events bring back)."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer

# The message attribute (SQS) and message tag (SES) that carry a correlation id between functions.
CORRELATION_ATTRIBUTE = "correlation_id"

logger = Logger()
metrics = Metrics()
tracer = Tracer()
