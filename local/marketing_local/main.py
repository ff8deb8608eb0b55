"""`mkt-local`: run the platform locally, and issue local customer tokens.

mkt-local run                                   start everything (Ctrl-C stops it)
mkt-local token --user-id u1 --email a@b.com    print a customer JWT the local gateway accepts
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from marketing_local.config import JWT_AUDIENCE, LocalConfig


def _run(_args: argparse.Namespace) -> int:
    from marketing_local.platform import LocalPlatform

    platform = LocalPlatform()
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    platform.start()
    try:
        print(platform.banner(), flush=True)
        stop.wait()
    finally:
        print("Stopping local mode…", flush=True)
        platform.stop()
    print("Stopped.", flush=True)
    return 0


def _token(args: argparse.Namespace) -> int:
    from marketing_local.identity import LocalIdentityProvider

    config = LocalConfig()
    identity = LocalIdentityProvider(Path(config.state_dir), config.jwt_issuer, JWT_AUDIENCE)
    print(identity.issue(args.user_id, args.email, args.ttl, email_verified=not args.unverified_email))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="mkt-local", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="start local mode").set_defaults(func=_run)
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
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
