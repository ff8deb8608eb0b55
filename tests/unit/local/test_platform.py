"""Local functions run with the Powertools settings the deployed ones have; the banner says how to call."""

from __future__ import annotations

from marketing_local.config import LocalConfig
from marketing_local.platform import LocalPlatform, function_environment


def test_functions_keep_their_responses_and_errors_out_of_traces_as_deployed():
    environment = function_environment("api", {})
    assert environment["POWERTOOLS_TRACER_CAPTURE_RESPONSE"] == "false"
    assert environment["POWERTOOLS_TRACER_CAPTURE_ERROR"] == "false"


def test_the_banner_lists_both_local_staff_key_pairs_and_their_roles():
    banner = LocalPlatform(LocalConfig()).banner()
    assert "manager        access key local-staff, secret local-staff-secret" in banner
    assert "analyst        access key local-analyst, secret local-analyst-secret" in banner
