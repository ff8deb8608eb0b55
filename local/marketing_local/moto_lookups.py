"""Three lookups moto makes again on every request, made once per process instead.

- The response class's method names (`inspect.getmembers` on the class), to find the action's
  handler, and the action's name in snake case.
- An EventBridge target's input paths: moto parses each into a JSONPath expression for every event
  it delivers to a target, eight per event, and each parse builds a new parser (about 1 ms). Every
  shop event and SES event of local mode goes through a rule's target.

Each is a pure function of a class or a string, and moto only reads what they return. Measured on
the unit and integration tests (2 processes): 104 s -> 85-88 s, CPU 2m50s -> 2m17-2m20s (decision 99).
"""

from __future__ import annotations

import functools


def apply() -> None:
    """Patches moto in this process (idempotent)."""
    import jsonpath_ng.ext
    from moto.core import responses

    if hasattr(responses.method_names_from_class, "cache_info"):
        return
    # Keyed by moto's response classes: a fixed set.
    responses.method_names_from_class = functools.cache(responses.method_names_from_class)
    # Keyed by what clients send (an action's name, a rule's input paths): bounded, since any
    # client may call the loopback moto server.
    responses.camelcase_to_underscores = functools.lru_cache(maxsize=1024)(responses.camelcase_to_underscores)
    # moto.events imports `parse` from the module on each use, so it finds the cached one.
    jsonpath_ng.ext.parse = functools.lru_cache(maxsize=1024)(jsonpath_ng.ext.parse)
