"""Runs Lambda handlers the way Lambda does: each function in its own processes ("containers")
that import the handler once (the cold start) and then serve one event at a time.

Separate processes, not threads, because handlers keep per-invocation state in module globals
(Powertools' resolver holds the current event) and because concurrency bugs only show when
invocations really run side by side, as they do in AWS.
"""

from __future__ import annotations

import atexit
import importlib
import os
import signal
import sys
import time
import traceback
import uuid
import warnings
from concurrent.futures import CancelledError, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing import get_context
from threading import Lock
from typing import Any, NoReturn

_handler: Any = None
_function_name = ""
_timeout_seconds = 30


@dataclass
class LocalContext:
    """The attributes of Lambda's context object that handlers and Powertools read."""

    function_name: str
    memory_limit_in_mb: int = 512
    function_version: str = "$LATEST"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = ""
    log_stream_name: str = ""
    timeout_seconds: int = 30
    _started: float = field(default_factory=time.monotonic)

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:eu-west-2:123456789012:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.timeout_seconds - (time.monotonic() - self._started)) * 1000))


def _load(function_name: str, handler: str, env: dict[str, str], paths: list[str], timeout_seconds: int) -> None:
    global _handler, _function_name, _timeout_seconds
    # Ctrl-C reaches the whole process group; the parent stops the containers in order.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Registered last, so it runs first at exit.
    atexit.register(exit_without_finalising)
    # Invocations that emit no metric are normal here; Powertools warns about each one.
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    os.environ.update(env)
    sys.path[:0] = paths
    module_name, attribute = handler.rsplit(".", 1)
    _handler = getattr(importlib.import_module(module_name), attribute)
    _function_name = function_name
    _timeout_seconds = timeout_seconds


def exit_without_finalising() -> NoReturn:
    """Ends the process once its output is flushed, without finalising the interpreter, as Lambda
    ends a container. Finalising took 0.12-0.16 s a function process (about 30 of them on 2 cores:
    3 of the 4.5 s local mode took to stop on Ctrl-C), and 1.2 s more in local mode's own."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(0)


def _invoke(event: dict[str, Any]) -> dict[str, Any]:
    try:
        return {"ok": True, "result": _handler(event, LocalContext(_function_name, timeout_seconds=_timeout_seconds))}
    except Exception as exc:  # Lambda reports a handler error to its caller, it does not crash
        return {
            "ok": False,
            "errorType": type(exc).__name__,
            "errorMessage": str(exc),
            "stackTrace": traceback.format_exc(),
        }


class FunctionError(Exception):
    """The handler raised: what Lambda returns as a function error."""

    def __init__(self, payload: dict[str, Any]):
        super().__init__(f"{payload['errorType']}: {payload['errorMessage']}")
        self.payload = payload


def _stopping() -> FunctionError:
    return FunctionError({"errorType": "Runtime.Stopped", "errorMessage": "local mode is stopping", "stackTrace": ""})


class LocalFunction:
    def __init__(
        self,
        name: str,
        handler: str,
        env: dict[str, str],
        paths: list[str],
        concurrency: int = 4,
        timeout_seconds: int = 30,
    ):
        self.name = name
        self._init_args = (name, handler, env, paths, timeout_seconds)
        self._concurrency = concurrency
        self._lock = Lock()
        self._pool: ProcessPoolExecutor | None = None
        self._shut_down = False

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._shut_down:
                # A request still in flight when local mode stops: containers started now would
                # outlive local mode, which exits without waiting for them.
                raise _stopping()
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=self._concurrency,
                    mp_context=get_context("spawn"),
                    initializer=_load,
                    initargs=self._init_args,
                )
            return self._pool

    def invoke(self, event: dict[str, Any]) -> Any:
        """Runs the handler on `event` and returns its result; raises FunctionError if it raised."""
        executor = self._executor()
        try:
            outcome = executor.submit(_invoke, event).result()
        except (RuntimeError, CancelledError):
            # Local mode stopped the containers between this call's start and its turn.
            if self._shut_down:
                raise _stopping() from None
            raise
        except BrokenProcessPool:
            # A container died (crash, out of memory): Lambda replaces it; so do we.
            with self._lock:
                if self._pool is executor:
                    self._pool = None
            raise FunctionError(
                {"errorType": "Runtime.ExitError", "errorMessage": "the function's process exited", "stackTrace": ""}
            ) from None
        if not outcome["ok"]:
            raise FunctionError(outcome)
        return outcome["result"]

    def shutdown(self) -> None:
        """Stops the containers; the function takes no invocation after it."""
        with self._lock:
            self._shut_down = True
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)
                self._pool = None
