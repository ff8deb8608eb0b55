"""`mkt-local`: run the platform locally, and issue local customer tokens.

mkt-local run                                   start everything (Ctrl-C stops it), with the data
                                                saved when it last stopped (--clean: start empty)
mkt-local token --user-id u1 --email a@b.com    print a customer JWT the local gateway accepts
mkt-local openapi --out console/openapi.json    write the API's OpenAPI document (the console's build)
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import signal
import sys
import threading
from pathlib import Path
from typing import NoReturn

from marketing_local.config import JWT_AUDIENCE, JWT_ISSUER, LocalConfig


def _write_bytecode() -> None:
    """Has this process and the function processes it starts write the bytecode of what they
    import, whatever PYTHONDONTWRITEBYTECODE says: without it every start, and every function
    container, compiles again each module it imports. The first start compiles what local mode
    needs as it imports it (`make run` compiles nothing ahead, so the banner comes early)."""
    moto = importlib.util.find_spec("moto")
    if moto is not None and moto.origin and not Path(importlib.util.cache_from_source(moto.origin)).exists():
        print("Compiling Python bytecode as local mode imports it (first run only)…", flush=True)
    sys.dont_write_bytecode = False
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


def _run(args: argparse.Namespace) -> NoReturn:
    _write_bytecode()
    from marketing_local.lambda_runtime import exit_without_finalising
    from marketing_local.platform import LocalPlatform

    platform = LocalPlatform(clean=args.clean)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    platform.start()
    try:
        print(platform.banner(), flush=True)
        # Woken every half second: a signal's handler runs only when the main thread runs Python,
        # and a wait with no timeout was seen to miss Ctrl-C now and then.
        while not stop.wait(0.5):
            pass
    finally:
        print("Stopping local mode…", flush=True)
        platform.stop()
    print("Stopped.", flush=True)
    exit_without_finalising()  # everything is stopped and the data saved


def _token(args: argparse.Namespace) -> int:
    from marketing_local.identity import LocalIdentityProvider

    config = LocalConfig()
    identity = LocalIdentityProvider(Path(config.state_dir), JWT_ISSUER, JWT_AUDIENCE)
    print(identity.issue(args.user_id, args.email, args.ttl, email_verified=not args.unverified_email))
    return 0


def _openapi(args: argparse.Namespace) -> int:
    from marketing_local.openapi_export import write_document

    write_document(Path(args.out))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="mkt-local", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="start local mode")
    run.add_argument(
        "--clean", action="store_true", help="start empty: forget the data saved when local mode last stopped"
    )
    run.set_defaults(func=_run)
    token = commands.add_parser("token", help="print a local customer JWT")
    token.add_argument("--user-id", required=True)
    token.add_argument("--email", required=True)
    token.add_argument("--ttl", type=int, default=3600, help="seconds until it expires (default 3600)")
    token.add_argument(
        "--unverified-email",
        action="store_true",
        help="leave out email_verified: the token cannot link to an existing contact by its address",
    )
    token.set_defaults(func=_token)
    openapi = commands.add_parser("openapi", help="write the API's OpenAPI document to a file")
    openapi.add_argument("--out", required=True, help="the file to write (written only if it changed)")
    openapi.set_defaults(func=_openapi)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
