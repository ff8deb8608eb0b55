"""What a function loads at cold start, checked in a fresh interpreter as Lambda starts one.

Each function imports only the stores it uses, and they find their tables in the environment
(store/table_meta.py); workers load Powertools' batch utility before pydantic (functions/workers);
the API includes a resource's router on its first request (api/routers.py); in Lambda the garbage
collector makes no pass during a cold start and runs after it (marketing/cold_start.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from marketing.catalog.tables import TABLES
from marketing.catalog.topology import SCHEDULES, WORKERS

REPO_ROOT = Path(__file__).resolve().parents[3]
PATHS = [str(REPO_ROOT / "functions"), str(REPO_ROOT / "layers" / "shared" / "python")]
HANDLER_MODULES = [function.handler.rsplit(".", 1)[0] for function in (*WORKERS, *SCHEDULES)]

ENVIRONMENT = {
    "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
    "AWS_REGION": "eu-west-2",
    "AWS_DEFAULT_REGION": "eu-west-2",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "TOKEN_SECRET_NAME": "t",
    "PUBLIC_BASE_URL": "https://shop.test/api/v1/marketing",
    "SENDER_ADDRESS": "news@shop.test",
    "CAMPAIGN_SCHEDULE_GROUP": "g",
    "SCHEDULER_ROLE_ARN": "arn:aws:iam::123456789012:role/r",
    "CAMPAIGN_SENDS_QUEUE_ARN": "arn:aws:sqs:eu-west-2:123456789012:q",
    **{env_var: f"table-{env_var.lower()}" for env_var in TABLES.values()},
}

PROBE = """
import gc, importlib, json, sys
sys.path[:0] = {paths!r}
passes = []
gc.callbacks.append(lambda phase, info: passes.append(info["generation"]) if phase == "start" else None)
try:
    importlib.import_module({module!r})
except Exception as error:
    print(json.dumps({{"error": f"{{type(error).__name__}}: {{error}}", "collecting": gc.isenabled()}}))
    raise SystemExit
older_passes = passes.count(1) + passes.count(2)
collector = {{"older_passes": older_passes, "collecting": gc.isenabled(), "frozen": gc.get_freeze_count()}}
from marketing.store.table_meta import TableMeta
print(json.dumps({{
    "modules": sorted(sys.modules),
    "tables": {{meta.table_env: [meta.table_name, meta.region] for meta in TableMeta.__subclasses__()}},
    "collector": collector,
}}))
"""


def cold_start(module: str, environment: dict[str, str]) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in ENVIRONMENT} | environment
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(paths=PATHS, module=module)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("module", HANDLER_MODULES)
def test_a_worker_or_schedule_binds_the_stores_it_imports_and_only_those(module):
    loaded = cold_start(module, ENVIRONMENT)
    for env_var, (table_name, region) in loaded["tables"].items():
        assert (table_name, region) == (ENVIRONMENT[env_var], "eu-west-2")
    assert len(loaded["tables"]) < len(TABLES)
    assert "marketing.catalog.tables" not in loaded["modules"]
    assert_collector_paused_for_the_cold_start_only(loaded["collector"])


def assert_collector_paused_for_the_cold_start_only(collector: dict) -> None:
    """No pass of the collector's older generations, which walk every long-lived object, while the
    handler module loaded (the package pauses it after its first import); collecting again after
    it, with what the cold start made frozen (over 10,000 objects, which later passes skip)."""
    assert collector["older_passes"] == 0
    assert collector["collecting"] is True
    assert collector["frozen"] > 10_000


def test_outside_lambda_the_collector_is_left_alone():
    outside = {key: value for key, value in ENVIRONMENT.items() if key != "AWS_EXECUTION_ENV"}
    collector = cold_start("workers.campaign_delivery", outside)["collector"]
    assert collector["older_passes"] > 0
    assert collector["collecting"] is True
    assert collector["frozen"] == 0


@pytest.mark.parametrize("module", [m for m in HANDLER_MODULES if m.startswith("workers.")])
def test_workers_leave_out_powertools_pydantic_record_models(module):
    assert "aws_lambda_powertools.utilities.parser.models" not in cold_start(module, ENVIRONMENT)["modules"]


def test_a_missing_table_name_fails_the_cold_start_naming_it():
    environment = {key: value for key, value in ENVIRONMENT.items() if key not in {"CARTS_TABLE", "AWS_REGION"}}
    failed = cold_start("schedules.abandoned_carts", environment)
    assert failed["error"] == "ConfigError: missing from the environment: AWS_REGION, CARTS_TABLE"
    assert failed["collecting"] is True  # a failed cold start does not leave the collector paused


def test_the_shop_events_worker_loads_no_store_until_an_event_needs_one():
    loaded = cold_start("workers.shop_events", ENVIRONMENT)
    assert loaded["tables"] == {}
    stores = {module for module in loaded["modules"] if module.startswith("marketing.store.")}
    assert stores == {"marketing.store.table_meta"}


def test_the_api_loads_no_router_until_a_request_needs_one():
    loaded = cold_start("api.app", ENVIRONMENT)
    assert not [module for module in loaded["modules"] if module.startswith(("api.routes.", "marketing.services."))]
    assert loaded["tables"] == {}
    assert_collector_paused_for_the_cold_start_only(loaded["collector"])
