"""A function's cold start: loading its handler module and everything that module imports.

Python's cyclic garbage collector makes a pass for every 700 new objects that can hold others,
and the older generations' passes walk every such object alive. A cold start creates hundreds of
thousands (modules, classes, functions, the metadata of pydantic and PynamoDB models), all living
as long as the container, so those passes free nothing: about 7% of a worker's cold start
(bench/cold_start.py). In a Lambda container the collector is therefore paused while the handler
module loads, from its package's `__init__` (`pause_collector`), and the module ends the cold
start with `finish`, which freezes what the cold start made (later passes skip it) and starts the
collector again. Outside Lambda (tests, local mode, tools) the collector is left alone: a process
that imported a function package without a handler module would otherwise never collect again.
"""

import gc
import os


def in_lambda() -> bool:
    """Whether this is a Lambda runtime, which names itself in AWS_EXECUTION_ENV."""
    return os.environ.get("AWS_EXECUTION_ENV", "").startswith("AWS_Lambda_")


def pause_collector() -> None:
    if in_lambda():
        gc.disable()


def finish() -> None:
    """The handler module is loaded: fail the cold start if a store it imported has no table name
    (store/table_meta.py), and start the collector again."""
    from marketing.store.table_meta import require_table_names  # here: the pause starts before any import

    try:
        require_table_names()
    finally:
        if in_lambda():
            gc.freeze()
            gc.enable()
