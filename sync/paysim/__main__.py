"""``python -m sync.paysim --port P [--host H] [--config faults.json] [--credentials F]
[--phone-host 192.168.1.20 --phone-port 8766] [--state FILE]`` (the customer page on the LAN:
``lan.py``; payments kept across restarts in FILE: ``state_file.py``)"""

from __future__ import annotations

import argparse
import logging
import socket
import sys
from pathlib import Path

import uvicorn

from .app import create_app
from .config import load_config
from .lan import NotPrivate, PhoneOnly, phone_host, phone_url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sync.paysim",
                                     description="Payment provider simulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--config", type=Path, help="JSON settings (credentials, webhook, faults)")
    parser.add_argument("--credentials", type=Path,
                        help="where generated demo credentials are kept")
    parser.add_argument("--phone-host", help="also serve the customer page (only) on this private-network "
                                             "address, for phones on the LAN; the QR code points there")
    parser.add_argument("--phone-port", type=int, default=0, help="its port (0: any free one)")
    parser.add_argument("--state", type=Path,
                        help="keep payments, refunds and their ids in this JSON file across "
                             "restarts (default: in memory only)")
    args = parser.parse_args(argv)
    try:
        config = load_config(args.config, credentials_file=args.credentials)
        phone = phone_host(args.phone_host) if args.phone_host else None
    except (OSError, ValueError, NotPrivate) as exc:
        print(f"paysim: bad configuration: {exc}", file=sys.stderr)
        return 2
    if args.state is not None:
        # stderr: a parent may stop reading stdout once it has the "listening on" line
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("paysim: %(message)s"))
        state_log = logging.getLogger("paysim.state")
        state_log.addHandler(handler)
        state_log.setLevel(logging.INFO)
        state_log.propagate = False
    print(f"paysim: merchant API key {config.api_key}; webhooks to {config.webhook_url or '-'}",
          flush=True)
    # Bind first, then announce the real port: tests ask for port 0 and read this line.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    port = sock.getsockname()[1]
    sockets, app = [sock], None
    if phone is not None:
        family = socket.AF_INET6 if ":" in phone else socket.AF_INET
        phone_sock = socket.socket(family, socket.SOCK_STREAM)
        phone_sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            phone_sock.bind((phone, args.phone_port))
        except OSError as exc:
            print(f"paysim: cannot serve the customer page on {phone}: {exc}", file=sys.stderr)
            return 2
        phone_port = phone_sock.getsockname()[1]
        sockets.append(phone_sock)
        if not config.public_url:  # the QR code's address: the one a phone can reach
            from dataclasses import replace

            config = replace(config, public_url=phone_url(phone, phone_port))
        app = PhoneOnly(create_app(config, args.state), phone_port)
        print(f"paysim: customer page for phones on {phone_url(phone, phone_port)}", flush=True)
    print(f"paysim: listening on http://{args.host}:{port}", flush=True)
    server = uvicorn.Server(uvicorn.Config(app or create_app(config, args.state), log_level="warning"))
    server.run(sockets=sockets)
    return 0


if __name__ == "__main__":
    sys.exit(main())
