"""POST /local/events: publishes shop events to the local bus, through the same rules as in AWS.

Body: one event or a list, each `{"detail-type": "order.paid", "detail": {...}}` (source `shop`
is implied). Answers with the event ids PutEvents gave, or its error per entry.

JSON only (415 otherwise): any web page may POST `text/plain` cross-origin without a CORS preflight,
but not `application/json`, so a page the developer visits cannot publish shop events.
"""

from __future__ import annotations

import json
from typing import Any

from werkzeug.wrappers import Request, Response

from marketing.catalog.topology import shop_event_entries
from marketing_local.responses import json_response


class EventPublisher:
    def __init__(self, events_client: Any, bus: str):
        self._events = events_client
        self._bus = bus

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
        published = []
        for start in range(0, len(batch), 10):  # PutEvents takes ten entries a call
            published += self._events.put_events(Entries=batch[start : start + 10])["Entries"]
        return json_response({"entries": published}, 200)
