"""Local functions run with the Powertools settings the deployed ones have."""

from __future__ import annotations

from marketing_local.platform import function_environment


def test_functions_keep_their_responses_and_errors_out_of_traces_as_deployed():
    environment = function_environment("api", {})
    assert environment["POWERTOOLS_TRACER_CAPTURE_RESPONSE"] == "false"
    assert environment["POWERTOOLS_TRACER_CAPTURE_ERROR"] == "false"
