"""How every SQS worker handles a batch: Powertools batch processing with partial failures.

Two kinds of failure, treated differently:
- a message that can never succeed (`Unprocessable`: bad JSON, a detail that fails its schema)
  goes to the dead-letter queue at once, with the reason as a message attribute and in the log;
- anything else fails just that record: SQS redelivers it, and after the queue's maximum
  receive count moves it to the dead-letter queue itself. Handlers are idempotent, so a
  redelivery never does anything twice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from pydantic import BaseModel, ValidationError

from marketing.aws import messaging
from marketing.catalog.topology import Queue
from marketing.errors import Unprocessable
from marketing.observability import CORRELATION_ATTRIBUTE, logger, metrics

MessageT = TypeVar("MessageT", bound=BaseModel)


def problems(error: ValidationError) -> str:
    """A validation error as one line: `field: reason; ...`."""
    return "; ".join(f"{'.'.join(map(str, err['loc'])) or 'body'}: {err['msg']}" for err in error.errors())


def parse_message(model: type[MessageT], body: str) -> MessageT:
    """The message `body` as `model`; Unprocessable (to the DLQ, with the reason) if it is not one."""
    try:
        return model.model_validate_json(body)
    except ValidationError as error:
        raise Unprocessable(f"not a {model.__name__} message: {problems(error)}") from error


# The invocation being handled, for handlers that must stop before Lambda's timeout.
_current_context: Any = None


def seconds_left() -> float:
    """Seconds before the current invocation times out (an hour outside Lambda, e.g. in tests)."""
    if _current_context is None:
        return 3600.0
    return _current_context.get_remaining_time_in_millis() / 1000


def sqs_batch_handler(queue: Queue, handle: Callable[[str], str]) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """A Lambda handler for `queue` that calls `handle(body)` for each message; `handle` returns
    what it did (logged) and raises Unprocessable for a message that belongs on the DLQ."""
    # A batch whose every record failed is reported like any other partial failure (each record
    # listed), not raised: SQS redelivers the same records either way, and the log says why.
    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)

    def record_handler(record: SQSRecord) -> None:
        carried = record.message_attributes[CORRELATION_ATTRIBUTE]
        logger.set_correlation_id((carried.string_value if carried else None) or record.message_id)
        try:
            outcome = handle(record.body)
        except Unprocessable as problem:
            logger.error(
                "unprocessable message sent to the dead-letter queue", message_id=record.message_id, reason=str(problem)
            )
            metrics.add_metric(name="UnprocessableMessages", unit="Count", value=1)
            messaging.dead_letter(queue, record.body, str(problem))
            return
        except Exception:
            logger.exception("message failed; SQS will deliver it again", message_id=record.message_id)
            raise
        logger.info(outcome, message_id=record.message_id)

    @logger.inject_lambda_context
    @metrics.log_metrics
    def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        global _current_context
        _current_context = context
        return process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )

    return lambda_handler
