"""Local functions' containers: started on demand, ended with local mode, never left behind."""

from __future__ import annotations

import multiprocessing

import pytest

from marketing_local.lambda_runtime import FunctionError, LocalFunction

HANDLER = """
def handler(event, context):
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
