"""Local functions run with the Powertools settings the deployed ones have; the banner says how to call."""

from __future__ import annotations

import time

import pytest

from marketing_local.config import LocalConfig
from marketing_local.lambda_runtime import FunctionError
from marketing_local.platform import LocalPlatform, function_environment


def test_functions_keep_their_responses_and_errors_out_of_traces_as_deployed():
    environment = function_environment("api", {})
    assert environment["POWERTOOLS_TRACER_CAPTURE_RESPONSE"] == "false"
    assert environment["POWERTOOLS_TRACER_CAPTURE_ERROR"] == "false"


def test_the_banner_lists_both_local_staff_key_pairs_and_their_roles():
    banner = LocalPlatform(LocalConfig()).banner()
    assert "manager        access key local-staff, secret local-staff-secret" in banner
    assert "analyst        access key local-analyst, secret local-analyst-secret" in banner


class SlowToStop:
    """A component whose stop waits a second for its threads, as a poller's long poll does."""

    def __init__(self, stopped: list[str], name: str) -> None:
        self._stopped = stopped
        self._name = name

    def start(self) -> None:
        """Nothing to start."""

    def stop(self) -> None:
        time.sleep(1)
        self._stopped.append(self._name)


def test_the_components_stop_at_once_and_the_moto_server_they_call_last():
    stopped: list[str] = []
    platform = LocalPlatform(LocalConfig())
    platform._components = [SlowToStop(stopped, "moto"), *(SlowToStop(stopped, f"poller-{n}") for n in range(6))]
    started = time.monotonic()
    platform.stop()
    assert time.monotonic() - started < 3  # one after another: 7 s
    assert stopped[-1] == "moto"
    assert sorted(stopped[:-1]) == [f"poller-{n}" for n in range(6)]


def test_functions_that_share_a_name_are_each_stopped():
    """The segment-refresh worker and schedule have one name; both must stop with local mode."""
    platform = LocalPlatform(LocalConfig())
    platform._components = [SlowToStop([], "moto")]
    twins = [platform._function("segment-refresh", "json.dumps", {}) for _ in range(2)]
    platform.stop()
    for function in twins:
        with pytest.raises(FunctionError, match="local mode is stopping"):
            function.invoke({})


def test_the_banner_lists_every_mailbox_simulator_address_local_mode_honours():
    banner = LocalPlatform(LocalConfig()).banner()
    for name in ("success", "bounce", "ooto", "complaint", "suppressionlist"):
        assert f"{name}@simulator.amazonses.com" in banner


def test_the_banner_names_the_inbound_email_route():
    config = LocalConfig()
    assert f"POST {config.api_origin}/local/inbound" in LocalPlatform(config).banner()
