"""Cold start: import + init time of each function's handler module against a bare Powertools
handler, measured in the same run, each in a fresh Python process (as a new Lambda container is).

    make bench            # or: .venv/bin/python bench/cold_start.py [--runs 15] [--instructions]

Prints the median of N runs per module and the ratio to the bare handler: the target. Python's own
start-up and shutdown are not counted (the same for every function); what is counted is what the
function adds. Every module is compiled to bytecode first, as the deployed layer and function
code are (a module without bytecode would be compiled on every import here:
PYTHONDONTWRITEBYTECODE may be set).

The platform's functions load with the garbage collector paused (marketing/cold_start.py); the
bare handler, as a plain Powertools function would, does not. The "like for like" column divides
by the bare handler loaded the same way, so it shows what a function's own code adds.

Wall-clock times on a shared machine move by ±0.05 of a ratio from run to run. `--instructions`
also counts the instructions each import executes under valgrind (callgrind), once per module:
the same count on every run, so it settles whether a function is within the target.
"""

from __future__ import annotations

import argparse
import compileall
import os
import re
import shutil
import statistics
import subprocess
import sys
import sysconfig
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO_ROOT / "layers" / "shared" / "python"), str(REPO_ROOT / "bench")]

from summary import figure  # noqa: E402

from marketing.catalog.tables import TABLES  # noqa: E402 - needs the layer on the path
from marketing.catalog.topology import SCHEDULES, WORKERS  # noqa: E402

TARGET_RATIO = 1.3

# module -> what it is: the two references first (the bare handler is the baseline), then every
# function the stack deploys, from the topology catalog.
MODULES = {
    "bare_handler": "bare Powertools handler (baseline)",
    "paused_bare_handler": "reference: bare, collector paused",
    "validated_handler": "reference: bare + request validation",
    "worker_floor": "reference: libraries every worker loads",
    "api.app": "API function",
    **{worker.handler.rsplit(".", 1)[0]: f"{worker.name} worker" for worker in WORKERS},
    **{schedule.handler.rsplit(".", 1)[0]: f"{schedule.name} schedule" for schedule in SCHEDULES},
}
REFERENCES = {"bare_handler", "paused_bare_handler", "validated_handler", "worker_floor"}


def _first_request(router: str) -> tuple[str, str]:
    return "api.app", f"import api.app, api.routers; api.routers.include(api.app.app, {router!r})"


# What a function loads on its first invocation of a kind rather than at cold start (decision 48):
# label -> (the function's module, the statement that loads it). Printed apart, so the cold-start
# ratios do not hide it: a container's first request or event of that kind pays it once.
FIRST_USE = {
    "API: first campaigns request": _first_request("campaigns"),
    "API: first contacts request": _first_request("contacts"),
    "API: first gift-cards request": _first_request("gift_cards"),
    "API: first tracking request": _first_request("public"),
    "API: docs (every router)": ("api.app", "import api.app, api.routers; api.routers.include_all(api.app.app)"),
    "shop-events: first order.paid": (
        "workers.shop_events",
        "from marketing.audience.services import contacts\n"
        "from marketing.audience.store import orders\n"
        "from marketing.automations.services import automation_runs\n"
        "from marketing.campaigns.services import conversions\n"
        "from marketing.growth.services import gift_cards, loyalty, referrals",
    ),
    "shop-events: first cart event": ("workers.shop_events", "from marketing.automations.services import carts"),
}

PROBE = """
import importlib, time
started = time.perf_counter()
importlib.import_module({module!r})
loaded = time.perf_counter()
{first_use}
print(loaded - started, time.perf_counter() - loaded)
"""

# What Lambda's environment looks like to the handler at cold start (tracing on, as deployed).
LAMBDA_ENVIRONMENT = {
    "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
    "AWS_LAMBDA_FUNCTION_NAME": "bench",
    "AWS_REGION": "eu-west-2",
    "AWS_DEFAULT_REGION": "eu-west-2",
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_XRAY_CONTEXT_MISSING": "IGNORE_ERROR",
    "POWERTOOLS_SERVICE_NAME": "bench",
    "POWERTOOLS_METRICS_NAMESPACE": "Marketing",
    **{env_var: f"bench-{env_var.lower()}" for env_var in TABLES.values()},
    "TOKEN_SECRET_NAME": "bench/token",
    "PUBLIC_BASE_URL": "https://bench.example/api/v1/marketing",
    "SENDER_ADDRESS": "news@bench.example",
    "CAMPAIGN_SCHEDULE_GROUP": "bench",
    "SCHEDULER_ROLE_ARN": "arn:aws:iam::123456789012:role/bench",
    "CAMPAIGN_SENDS_QUEUE_ARN": "arn:aws:sqs:eu-west-2:123456789012:bench",
}


PATHS = [REPO_ROOT / "bench", REPO_ROOT / "functions", REPO_ROOT / "layers" / "shared" / "python"]


def compile_everything() -> None:
    """Bytecode for every module a probe may import, as Lambda finds it in the deployed assets."""
    for directory in [Path(sysconfig.get_paths()["purelib"]), *PATHS]:
        compileall.compile_dir(directory, quiet=2, workers=os.cpu_count() or 1)


def _probe(statements: str, wrapper: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    """Runs `statements` in a fresh interpreter with the functions' paths and Lambda's environment."""
    source = f"import sys\nsys.path[:0] = {[str(path) for path in PATHS]!r}\n{statements}"
    environment = {key: value for key, value in os.environ.items() if not key.startswith("POWERTOOLS_")}
    environment.update(LAMBDA_ENVIRONMENT)
    return subprocess.run(
        [*wrapper, sys.executable, "-c", source], env=environment, capture_output=True, text=True, check=True
    )


def measure(module: str, first_use: str = "") -> tuple[float, float]:
    """Seconds to import `module` (import + init), and then to run `first_use`."""
    result = _probe(PROBE.format(module=module, first_use=first_use))
    cold, then = result.stdout.strip().splitlines()[-1].split()
    return float(cold), float(then)


def instructions(statements: str) -> int:
    """Instructions the interpreter executes to start and run `statements`. It then exits at once:
    shutting down (finalising every module and object) is no part of a cold start."""
    wrapper = ("valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null")
    collected = re.search(r"Collected : (\d+)", _probe(f"{statements}\nimport os\nos._exit(0)", wrapper).stderr)
    if collected is None:
        raise RuntimeError("valgrind reported no instruction count")
    return int(collected.group(1))


def print_instruction_ratios() -> None:
    """Prints each module's import + init in instructions, and its ratio to the bare handler's."""
    if shutil.which("valgrind") is None:
        raise SystemExit("--instructions needs valgrind (Debian package valgrind)")
    statements = ["pass", *(f"import {module}" for module in MODULES)]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        startup, *counts = pool.map(instructions, statements)
    imports = {module: count - startup for module, count in zip(MODULES, counts, strict=True)}
    print_ratios(
        "import + init in instructions executed (valgrind; the same on every run)",
        f"{'M instr':>10}",
        imports,
        {module: f"{count / 1e6:>10.1f}" for module, count in imports.items()},
        figure_name="cold start in instructions, worst function",
    )
    print()


def print_ratios(heading: str, header: str, figures: dict[str, float], cells: dict[str, str], figure_name: str) -> None:
    """A table of each module's `cells`, the ratio of its figure to the bare handler's and to the
    paused bare handler's (like for like), then the worst function's ratios against the target
    (like for like: the issue's measure), stated for the summary as `figure_name`."""
    print(heading)
    print(f"{'function':<40} {header} {'ratio':>6} {'like for like':>14}")
    worst = worst_like_for_like = 0.0
    for module, label in MODULES.items():
        ratio = figures[module] / figures["bare_handler"]
        like_for_like = figures[module] / figures["paused_bare_handler"]
        if module not in REFERENCES:
            worst = max(worst, ratio)
            worst_like_for_like = max(worst_like_for_like, like_for_like)
        print(f"{label:<40} {cells[module]} {ratio:>6.2f} {like_for_like:>14.2f}")
    print(
        f"worst function ratio: {worst:.2f} ({'meets' if worst <= TARGET_RATIO else 'misses'} the target); "
        f"like for like: {worst_like_for_like:.2f}"
    )
    figure(
        f"{figure_name} / bare handler (like for like)",
        f"{worst_like_for_like:.2f}",
        f"<= {TARGET_RATIO}",
        worst_like_for_like <= TARGET_RATIO,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--instructions", action="store_true", help="also count instructions (valgrind)")
    parser.add_argument(
        "--only",
        action="append",
        choices=[module for module in MODULES if module not in REFERENCES],
        help="measure only this function's module (repeatable; the references always run)",
    )
    args = parser.parse_args()
    if args.only:
        for module in [module for module in MODULES if module not in REFERENCES and module not in args.only]:
            del MODULES[module]
        for label in [label for label, (module, _) in FIRST_USE.items() if module not in args.only]:
            del FIRST_USE[label]
    if args.runs < 2:
        parser.error("--runs must be at least 2 (the p90 column needs two samples)")
    compile_everything()
    if args.instructions:
        print_instruction_ratios()
    samples: dict[str, list[float]] = {module: [] for module in MODULES}
    first_uses: dict[str, list[float]] = {label: [] for label in FIRST_USE}
    for _ in range(args.runs):  # interleaved, so drift on the machine hits every module alike
        for module in MODULES:
            samples[module].append(measure(module)[0])
        for label, (module, statement) in FIRST_USE.items():
            first_uses[label].append(measure(module, statement)[1])
    medians = {module: statistics.median(samples[module]) for module in MODULES}
    print_ratios(
        f"import + init, median of {args.runs} fresh processes (target: ratio <= {TARGET_RATIO})",
        f"{'median ms':>10} {'p90 ms':>8}",
        medians,
        {
            module: f"{medians[module] * 1000:>10.1f} {statistics.quantiles(samples[module], n=10)[-1] * 1000:>8.1f}"
            for module in MODULES
        },
        figure_name="cold start in time, worst function",
    )
    print()
    print("loaded on first use instead of at cold start (paid once per container)")
    print(f"{'first use':<40} {'median ms':>10} {'+ cold start, ratio':>20}")
    for label, (module, _) in FIRST_USE.items():
        extra = statistics.median(first_uses[label])
        total = (medians[module] + extra) / medians["bare_handler"]
        print(f"{label:<40} {extra * 1000:>10.1f} {total:>20.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
