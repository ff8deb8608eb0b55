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
from functools import partial
from typing import Any, TypeVar

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from pydantic import BaseModel, ValidationError

from marketing.aws import messaging
from marketing.catalog.topology import Queue
from marketing.clock import NO_DEADLINE, Deadline
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


def message_of(model: type[MessageT]) -> Callable[[str], MessageT]:
    """The parser of a queue whose messages are all `model`s."""
    return partial(parse_message, model)


Finish = Callable[[], str]  # a message's end when handled with others: what was done, or the error


def sqs_batch_handler(
    queue: Queue,
    parse: Callable[[str], MessageT],
    handle: Callable[[MessageT, Deadline], str],
    together: Callable[[list[MessageT], Deadline], list[Finish | None]] | None = None,
) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """A Lambda handler for `queue`: each message is parsed (`parse`, raising Unprocessable for one
    that belongs on the DLQ) and handed with the invocation's deadline to `handle`, which returns
    what it did (logged) and may raise Unprocessable too. Services see typed messages, not bodies.
    `together`, if given, first handles what the batch's messages can share (one write for many):
    for each message how to finish it in its own record's turn (return what was done, or raise what
    went wrong, as `handle` would), or None to leave it to `handle`."""
    # A batch whose every record failed is reported like any other partial failure (each record
    # listed), not raised: SQS redelivers the same records either way, and the log says why.
    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
    finishes: dict[str, Finish] = {}

    def record_handler(record: SQSRecord, lambda_context: Any = None) -> None:
        carried = record.message_attributes[CORRELATION_ATTRIBUTE]
        logger.set_correlation_id((carried.string_value if carried else None) or record.message_id)
        finish = finishes.pop(record.message_id, None)
        try:
            outcome = finish() if finish is not None else handle(parse(record.body), deadline_of(lambda_context))
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
        finishes.clear()
        if together is not None:
            finishes.update(_handled_together(event.get("Records", []), parse, together, deadline_of(context)))
        return process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )

    return lambda_handler


def deadline_of(lambda_context: Any) -> Deadline:
    return Deadline(lambda_context.get_remaining_time_in_millis) if lambda_context else NO_DEADLINE


def _handled_together(
    records: list[dict[str, Any]],
    parse: Callable[[str], MessageT],
    together: Callable[[list[MessageT], Deadline], list[Finish | None]],
    deadline: Deadline,
) -> dict[str, Finish]:
    """How to finish each message `together` handled, by message id. A message that does not parse
    is left to its record's turn (which sends it to the DLQ); if `together` fails, every message is."""
    parsed: list[tuple[str, MessageT]] = []
    for record in records:
        try:
            parsed.append((record["messageId"], parse(record["body"])))
        except Unprocessable:
            continue
    try:
        finishes = together([message for _, message in parsed], deadline)
    except Exception:
        logger.exception("messages could not be handled together; each is handled on its own")
        return {}
    return {message_id: finish for (message_id, _), finish in zip(parsed, finishes, strict=True) if finish is not None}
