"""Assembles local mode: the moto server, the resources on it, the functions, and the gateway.

Every part is a component, started after the resources exist and stopped before the moto server
goes away: the gateway in front of the API function, one SQS poller per worker (the event source
mappings), and the scheduler that fires the schedules. Workers and schedules come from the same
catalog CDK deploys (marketing.catalog.topology). The data on the moto server is saved when local
mode stops and put back when it starts (marketing_local.state).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import urllib.request
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

import boto3
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from marketing.catalog.topology import EVENT_BUS_ENV, INBOUND_MAIL_BUCKET_ENV, SCHEDULES, WORKERS
from marketing_local import ses_limits
from marketing_local.config import (
    JWT_AUDIENCE,
    JWT_ISSUER,
    REGION,
    REPO_ROOT,
    RESOURCE_PREFIX,
    STAFF_KEY_PAIRS,
    LocalConfig,
    aws_environment,
)
from marketing_local.console import CONSOLE_USERS, ConsoleFiles, ConsoleSessions
from marketing_local.events import EventPublisher
from marketing_local.gateway import Gateway
from marketing_local.identity import LocalIdentityProvider
from marketing_local.inbound import InboundMail
from marketing_local.lambda_runtime import LocalFunction
from marketing_local.one_time_schedules import OneTimeScheduleRunner
from marketing_local.outbox import list_outbox
from marketing_local.pollers import HandledEvents, SqsPoller
from marketing_local.provision import Provisioner
from marketing_local.scheduler import Scheduler
from marketing_local.ses_limits import SesControl, SimulatedSes
from marketing_local.ses_simulator import MAILBOX_SIMULATOR, SIMULATOR_DOMAIN, SesEventSimulator
from marketing_local.state import SavedState

FUNCTION_PATHS = [str(REPO_ROOT / "functions"), str(REPO_ROOT / "layers" / "shared" / "python")]
# Deployed queues hide a message for six times the worker's timeout (up to 90 minutes); locally a
# failed message comes back within a minute, so retries and the DLQ can be watched.
LOCAL_VISIBILITY_CAP_SECONDS = 60
# SES's rate locally, unless MKT_SES_MAX_SEND_RATE says otherwise: a production account's order.
LOCAL_SES_SEND_RATE = 200
# A sample postal address for marketing emails' footers (MKT_SHOP_POSTAL_ADDRESS; empty: none).
LOCAL_SHOP_POSTAL_ADDRESS = "Example Shop Ltd, 1 Market Street, London EC1A 1AA, United Kingdom"


class Component(Protocol):
    def start(self) -> None: ...

    def stop(self) -> None: ...


def _ensure_free(host: str, port: int, what: str) -> None:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise SystemExit(
                f"{what} port {host}:{port} is in use ({exc.strerror}); "
                f"stop what holds it or choose another port (see README, Configuration)"
            ) from exc


class MotoServer:
    def __init__(self, config: LocalConfig):
        from moto.server import ThreadedMotoServer

        from marketing_local import moto_patches

        moto_patches.apply()
        self._endpoint = config.moto_endpoint
        self._server = ThreadedMotoServer(ip_address=config.host, port=config.moto_port, verbose=False)
        # State machines run inside this process and reach SQS at localhost:$MOTO_PORT.
        os.environ["MOTO_PORT"] = str(config.moto_port)

    def start(self) -> None:
        # The gateway prints one line per API request; moto's own per-call lines would drown it.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self._server.start()
        # moto only runs state machines (the automations' waits and sends) when told to (SPEC).
        request = urllib.request.Request(  # noqa: S310 - the loopback moto server
            f"{self._endpoint}/moto-api/config",
            data=json.dumps({"stepfunctions": {"execute_state_machine": True}}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10):  # noqa: S310 - the loopback moto server
            pass

    def stop(self) -> None:
        self._server.stop()


class HttpServer:
    def __init__(self, host: str, port: int, app) -> None:
        self._server = make_server(host, port, app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, name="gateway", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()


def function_environment(service: str, resources: dict[str, str]) -> dict[str, str]:
    return {
        **resources,
        "POWERTOOLS_SERVICE_NAME": service,
        "POWERTOOLS_METRICS_NAMESPACE": "Marketing",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_TRACER_CAPTURE_RESPONSE": "false",  # as deployed (infra/constructs/function.py)
        "POWERTOOLS_TRACER_CAPTURE_ERROR": "false",
        "POWERTOOLS_METRICS_DISABLED": os.environ.get("POWERTOOLS_METRICS_DISABLED", "true"),
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO"),
    }


def _all_at_once(calls: Iterable[Callable[[], None]]) -> None:
    """Runs the calls side by side and waits for all: each stop waits for its own threads or
    processes (a poller for its long poll), so one after another they added up to 10-30 s."""
    calls = list(calls)
    if calls:
        with ThreadPoolExecutor(max_workers=len(calls)) as pool:
            for done in [pool.submit(call) for call in calls]:
                done.result()


def _progress(message: str) -> None:
    print(message, flush=True)


class LocalPlatform:
    def __init__(self, config: LocalConfig | None = None, *, clean: bool = False):
        self.config = config or LocalConfig()
        # A list, not a dict by name: the segment-refresh worker and schedule share a name, and the
        # one a dict dropped was never stopped (its containers outlived local mode).
        self._functions: list[LocalFunction] = []
        self._components: list[Component] = []
        self._clean = clean
        self._saved_state: SavedState | None = None  # set once the saved state is back, so a failed start saves nothing
        # SES's send rate and latency (MKT_SES_MAX_SEND_RATE, MKT_SES_LATENCY_MS, MKT_SES_JITTER_MS).
        self.ses = SimulatedSes(ses_limits.from_environment(dict(os.environ), LOCAL_SES_SEND_RATE))

    def _function(self, name: str, handler: str, resources: dict[str, str], timeout_seconds: int = 30) -> LocalFunction:
        function = LocalFunction(
            name,
            handler,
            function_environment(name, resources),
            FUNCTION_PATHS,
            self.config.concurrency,
            timeout_seconds,
        )
        self._functions.append(function)
        return function

    def start(self) -> None:
        config = self.config
        _ensure_free(config.host, config.moto_port, "moto server")
        _ensure_free(config.host, config.api_port, "API gateway")
        Path(config.state_dir).mkdir(parents=True, exist_ok=True)
        os.environ.update(aws_environment(config))

        _progress(f"Starting the AWS services (moto server) on {config.moto_endpoint}…")
        ses_limits.apply(self.ses)
        moto = MotoServer(config)
        moto.start()
        self._components.append(moto)
        session = boto3.Session(region_name=REGION)
        _progress("Creating the platform's tables, queues, bus, bucket and state machine…")
        provisioned = Provisioner(session, RESOURCE_PREFIX, config.moto_endpoint).everything(
            LOCAL_VISIBILITY_CAP_SECONDS
        )
        self._restore(SavedState(session, config.moto_endpoint, config.state_dir))
        _progress("Starting the functions' pollers, the schedules and the gateway…")
        resources = {
            **aws_environment(config),
            **provisioned,
            "PUBLIC_BASE_URL": f"{config.api_origin}/api/v1/marketing",
            "SHOP_NAME": "Example Shop",
            # Every marketing email's footer shows it; a campaign is refused without one.
            "SHOP_POSTAL_ADDRESS": os.environ.get("MKT_SHOP_POSTAL_ADDRESS", LOCAL_SHOP_POSTAL_ADDRESS),
            # Opens and clicks recorded per person only with the subscriber's consent (default: off).
            "TRACKING_CONSENT_REQUIRED": os.environ.get("MKT_TRACKING_CONSENT_REQUIRED", "false"),
            # Double opt-in per channel: always, unverified_only or never (default; decision 85).
            **{
                variable: os.environ.get(f"MKT_{variable}", "never")
                for variable in ("DOUBLE_OPT_IN_CUSTOMERS", "DOUBLE_OPT_IN_REGISTRATIONS", "DOUBLE_OPT_IN_IMPORTS")
            },
            # The shop's servers whose signups may name the visitor's IP address (none by default).
            "SIGNUP_TRUSTED_SERVERS": os.environ.get("MKT_SIGNUP_TRUSTED_SERVERS", ""),
            # Real hours by default; e.g. MKT_AUTOMATION_HOUR_SECONDS=0.5 runs a series 7200× faster.
            "AUTOMATION_HOUR_SECONDS": os.environ.get("MKT_AUTOMATION_HOUR_SECONDS", "3600"),
            "CART_IDLE_MINUTES": os.environ.get("MKT_CART_IDLE_MINUTES", "60"),
            # Emails a campaign sends before the reputation guard judges its bounce rate.
            "REPUTATION_MIN_SAMPLE": os.environ.get("MKT_REPUTATION_MIN_SAMPLE", "200"),
        }

        sqs = session.client("sqs", endpoint_url=config.moto_endpoint)
        handled = HandledEvents()
        for worker in WORKERS:
            function = self._function(worker.name, worker.handler, resources, worker.timeout_seconds)
            threads = max(1, min(config.concurrency, 4))
            queue_url = resources[worker.queue.env_var]
            self._start(SqsPoller(sqs, queue_url, function, worker.batch_size, threads, handled))
        scheduler = Scheduler(
            {
                schedule.name: (
                    schedule,
                    self._function(schedule.name, schedule.handler, resources, schedule.timeout_seconds),
                )
                for schedule in SCHEDULES
            }
        )
        self._start(scheduler)
        self._start(
            OneTimeScheduleRunner(
                session.client("scheduler", endpoint_url=config.moto_endpoint),
                sqs,
                resources["CAMPAIGN_SCHEDULE_GROUP"],
            )
        )
        self._start(SesEventSimulator(session.client("events", endpoint_url=config.moto_endpoint)))

        identity = LocalIdentityProvider(Path(config.state_dir), JWT_ISSUER, JWT_AUDIENCE)
        api = self._function("api", "api.app.lambda_handler", resources)
        publisher = EventPublisher(
            session.client("events", endpoint_url=config.moto_endpoint), resources[EVENT_BUS_ENV], handled
        )
        sessions = ConsoleSessions()
        console = ConsoleFiles(config.moto_endpoint)
        local_routes = {
            "/console": to_console,
            "/console/": console.route,
            "/console/<path:asset>": console.route,
            "/local/console/sign-in": sessions.sign_in_route,
            "/local/console/refresh": sessions.refresh_route,
            "/local/console/revoke": sessions.revoke_route,
            "/local/outbox": list_outbox,
            "/local/health": health,
            "/local/events": publisher.route,
            "/local/schedules": scheduler.route,
            "/local/ses": SesControl(self.ses).route,
            "/local/inbound": InboundMail(
                session.client("s3", endpoint_url=config.moto_endpoint), resources[INBOUND_MAIL_BUCKET_ENV]
            ).route,
        }
        self._start(HttpServer(config.host, config.api_port, Gateway(api, identity, local_routes, sessions)))

    def _restore(self, state: SavedState) -> None:
        if self._clean:
            state.discard()
        restored = state.restore()
        if restored is None:
            _progress(f"Starting with no data (nothing saved in {state.path}).")
        else:
            _progress(f"Restored the data saved when local mode last stopped: {restored} (--clean starts empty).")
        self._saved_state = state

    def _start(self, component: Component) -> None:
        component.start()
        self._components.append(component)

    def stop(self) -> None:
        """Stops everything but the moto server at once, then the functions, saves the data, and
        stops the moto server last: every other part calls it."""
        moto, *running = self._components
        _all_at_once(component.stop for component in running)
        _all_at_once(function.shutdown for function in self._functions)
        if self._saved_state is not None:
            try:
                _progress(f"Saved the data for the next start: {self._saved_state.save()}.")
            except Exception as error:  # still stop; the file from the last good save stays whole
                _progress(f"Could not save the data ({error}); the next start has what was saved before.")
        moto.stop()
        self._components.clear()

    def banner(self) -> str:
        config = self.config
        api = f"{config.api_origin}/api/v1/marketing/"
        return "\n".join(
            [
                "Marketing platform: local mode is up.",
                f"  Console          {config.api_origin}/console/   sign in as:",
                *(f"    {user.role.value:<15}{user.username} / {user.password}" for user in CONSOLE_USERS.values()),
                f"  API              {api}",
                f"  OpenAPI JSON     {api}openapi.json",
                f"  Swagger UI       {api}docs",
                f"  SES outbox       {config.api_origin}/local/outbox",
                f"  SES limits       {self.ses.limits.describe()}   ({config.api_origin}/local/ses: see or change)",
                "  SES events       simulated for every email; SES's mailbox simulator addresses:",
                *(f"    {f'{name}@{SIMULATOR_DOMAIN}':<41}{outcome}" for name, outcome in MAILBOX_SIMULATOR.items()),
                f"  Shop events      POST {config.api_origin}/local/events   or  .venv/bin/mkt --local events publish",
                f"  Schedules        {config.api_origin}/local/schedules   (POST ?name=… runs one now)",
                f"  Inbound email    POST {config.api_origin}/local/inbound   (a raw email to an unsubscribe mailto)",
                f"  AWS (moto)       {config.moto_endpoint}   (region eu-west-2)",
                "  Staff SigV4      service execute-api, one key pair per staff role:",
                *(
                    f"    {pair.role.value:<15}access key {pair.access_key}, secret {pair.secret_key}"
                    for pair in STAFF_KEY_PAIRS.values()
                ),
                "  Customer token   .venv/bin/mkt-local token --user-id u1 --email u1@example.com",
                "  Staff CLI        .venv/bin/mkt --local templates list   (--role analyst: read-only)",
                f"  State            {config.state_dir}   (kept across restarts; mkt-local run --clean: start empty)",
                "Ctrl-C stops everything.",
            ]
        )

    def __enter__(self) -> LocalPlatform:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def to_console(_request: Request) -> Response:
    return Response(status=308, headers={"Location": "/console/"})


def health(_request: Request) -> Response:
    return Response('{"status":"ok"}', content_type="application/json")
