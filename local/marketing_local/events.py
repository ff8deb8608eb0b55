"""POST /local/events: publishes shop events to the local bus, through the same rules as in AWS.

Body: one event or a list, each `{"detail-type": "order.paid", "detail": {...}}` (source `shop`
is implied). Answers with the event ids PutEvents gave, or its error per entry. With `?wait=SECONDS`
it answers once a worker handled these events (`"handled": true`), whatever else is still queued,
or after that long (`false`), so the next command sees their effect.

JSON only (415 otherwise): any web page may POST `text/plain` cross-origin without a CORS preflight,
but not `application/json`, so a page the developer visits cannot publish shop events.
"""

from __future__ import annotations

import json
import math
from typing import Any

from werkzeug.wrappers import Request, Response

from marketing.catalog.topology import shop_event_entries
from marketing_local.pollers import HandledEvents
from marketing_local.responses import json_response

MAX_WAIT_SECONDS = 120


class EventPublisher:
    def __init__(self, events_client: Any, bus: str, handled: HandledEvents):
        self._events = events_client
        self._bus = bus
        self._handled = handled

    def route(self, request: Request) -> Response:
        if request.method != "POST":
            return json_response({"error": "POST one event or a list of events"}, 405)
        if request.mimetype != "application/json":
            return json_response({"error": "send the events as Content-Type: application/json"}, 415)
        try:
            body = json.loads(request.get_data(as_text=True) or "null")
            events = body if isinstance(body, list) else [body]
            batch = shop_event_entries(events, self._bus)
        except (ValueError, TypeError, KeyError, AttributeError):
            return json_response({"error": 'send {"detail-type": "...", "detail": {...}} or a list of them'}, 400)
        wait = request.args.get("wait", default=0.0, type=float)
        if not math.isfinite(wait):
            return json_response({"error": "wait: a number of seconds"}, 400)
        published = []
        for start in range(0, len(batch), 10):  # PutEvents takes ten entries a call
            published += self._events.put_events(Entries=batch[start : start + 10])["Entries"]
        if wait <= 0:
            return json_response({"entries": published}, 200)
        ids = {entry["EventId"] for entry in published if "EventId" in entry}
        handled = bool(ids) and self._handled.wait_for(ids, min(wait, MAX_WAIT_SECONDS))
        return json_response({"entries": published, "handled": handled}, 200)
