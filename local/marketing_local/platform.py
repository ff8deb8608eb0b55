"""Assembles local mode: the moto server, the resources on it, the functions, and the gateway.

Later parts of the platform plug in here as more components (SQS pollers feeding workers,
EventBridge rules and schedules, the Step Functions definition): each is started after the
resources exist and stopped before the moto server goes away.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from pathlib import Path
from typing import Protocol

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from marketing_local.config import JWT_AUDIENCE, REPO_ROOT, LocalConfig, aws_environment
from marketing_local.gateway import Gateway
from marketing_local.identity import LocalIdentityProvider
from marketing_local.lambda_runtime import LocalFunction
from marketing_local.outbox import list_outbox
from marketing_local.provision import provision

FUNCTION_PATHS = [str(REPO_ROOT / "functions"), str(REPO_ROOT / "layers" / "shared" / "python")]


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

        self._server = ThreadedMotoServer(ip_address=config.host, port=config.moto_port, verbose=False)

    def start(self) -> None:
        # The gateway prints one line per API request; moto's own per-call lines would drown it.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self._server.start()

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
        "POWERTOOLS_METRICS_DISABLED": os.environ.get("POWERTOOLS_METRICS_DISABLED", "true"),
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO"),
    }


class LocalPlatform:
    def __init__(self, config: LocalConfig | None = None):
        self.config = config or LocalConfig()
        self.functions: dict[str, LocalFunction] = {}
        self._components: list[Component] = []

    def _function(self, name: str, handler: str, resources: dict[str, str]) -> LocalFunction:
        function = LocalFunction(
            name, handler, function_environment(name, resources), FUNCTION_PATHS, self.config.concurrency
        )
        self.functions[name] = function
        return function

    def start(self) -> None:
        config = self.config
        _ensure_free(config.host, config.moto_port, "moto server")
        _ensure_free(config.host, config.api_port, "API gateway")
        Path(config.state_dir).mkdir(parents=True, exist_ok=True)
        os.environ.update(aws_environment(config))

        moto = MotoServer(config)
        moto.start()
        self._components.append(moto)
        resources = provision(config)

        identity = LocalIdentityProvider(Path(config.state_dir), config.jwt_issuer, JWT_AUDIENCE)
        api = self._function("api", "api.app.lambda_handler", resources)
        local_routes = {
            "/local/outbox": list_outbox,
            "/local/health": health,
        }
        gateway = HttpServer(config.host, config.api_port, Gateway(api, identity, local_routes))
        gateway.start()
        self._components.append(gateway)

    def stop(self) -> None:
        for component in reversed(self._components):
            component.stop()
        self._components.clear()
        for function in self.functions.values():
            function.shutdown()

    def banner(self) -> str:
        config = self.config
        api = f"{config.api_origin}/api/v1/marketing/"
        return "\n".join(
            [
                "Marketing platform: local mode is up.",
                f"  API              {api}",
                f"  OpenAPI JSON     {api}openapi.json",
                f"  Swagger UI       {api}docs",
                f"  SES outbox       {config.api_origin}/local/outbox",
                f"  AWS (moto)       {config.moto_endpoint}   (region eu-west-2)",
                "  Staff SigV4      access key local-staff, secret local-staff-secret, service execute-api",
                "  Customer token   .venv/bin/mkt-local token --user-id u1 --email u1@example.com",
                "  Staff CLI        .venv/bin/mkt --local templates list",
                f"  State            {config.state_dir}",
                "Ctrl-C stops everything.",
            ]
        )

    def __enter__(self) -> LocalPlatform:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def health(_request: Request) -> Response:
    return Response('{"status":"ok"}', content_type="application/json")
