"""``python -m sync.paysim --port P [--host H] [--config faults.json] [--credentials F]``"""

from __future__ import annotations

import argparse
import socket
import sys
from pathlib import Path

import uvicorn

from .app import create_app
from .config import load_config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sync.paysim",
                                     description="Payment provider simulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--config", type=Path, help="JSON settings (credentials, webhook, faults)")
    parser.add_argument("--credentials", type=Path,
                        help="where generated demo credentials are kept")
    args = parser.parse_args(argv)
    try:
        config = load_config(args.config, credentials_file=args.credentials)
    except (OSError, ValueError) as exc:
        print(f"paysim: bad configuration: {exc}", file=sys.stderr)
        return 2
    print(f"paysim: merchant API key {config.api_key}; webhooks to {config.webhook_url or '-'}",
          flush=True)
    # Bind first, then announce the real port: tests ask for port 0 and read this line.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    port = sock.getsockname()[1]
    print(f"paysim: listening on http://{args.host}:{port}", flush=True)
    server = uvicorn.Server(uvicorn.Config(create_app(config), log_level="warning"))
    server.run(sockets=[sock])
    return 0


if __name__ == "__main__":
    sys.exit(main())
