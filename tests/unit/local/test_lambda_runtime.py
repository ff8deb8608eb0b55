"""Local functions' containers: started on demand, ended with local mode, never left behind."""

from __future__ import annotations

import multiprocessing
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from marketing_local.lambda_runtime import FunctionError, LocalFunction

HANDLER = """
import time


def handler(event, context):
    time.sleep(event.get("sleep", 0))  # holds the container, as a slow invocation does
    return {"echo": event, "function": context.function_name}
"""


@pytest.fixture
def echo(tmp_path) -> LocalFunction:
    (tmp_path / "echo_handler.py").write_text(HANDLER)
    function = LocalFunction("echo", "echo_handler.handler", {}, [str(tmp_path)], concurrency=1)
    yield function
    function.shutdown()


def test_a_shut_down_function_ends_its_containers_and_starts_no_new_one(echo):
    assert echo.invoke({"n": 1}) == {"echo": {"n": 1}, "function": "echo"}
    containers = multiprocessing.active_children()
    assert containers  # the container is a process of its own
    echo.shutdown()
    assert not [process for process in containers if process.is_alive()]
    with pytest.raises(FunctionError, match="local mode is stopping"):
        echo.invoke({"n": 2})  # a request still in flight at Ctrl-C
    assert not multiprocessing.active_children()


def test_invocations_caught_by_the_stop_end_in_a_function_error(echo):
    """Calls waiting for the one container when local mode stops get the same error as a late call."""
    with ThreadPoolExecutor(max_workers=5) as callers:
        calls = [callers.submit(echo.invoke, {"sleep": 0.5}) for _ in range(5)]
        while not multiprocessing.active_children():
            time.sleep(0.01)
        echo.shutdown()
    stopped = 0
    for call in calls:
        error = call.exception()
        if error is None:
            assert call.result()["echo"] == {"sleep": 0.5}
            continue
        assert isinstance(error, FunctionError), repr(error)
        assert error.payload["errorType"] == "Runtime.Stopped"
        stopped += 1
    assert stopped >= 1
