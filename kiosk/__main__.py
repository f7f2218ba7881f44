"""Run the kiosk.

``python -m kiosk demo [--port P] [--data-dir D] [--no-browser]``: the kiosk on its
embedded defaults, with its companions (a local central server, and what features add:
payment simulator, virtual card); opens Chromium in kiosk mode when a display exists.

``python -m kiosk practice [--port P] [--data-dir D] [--seats N] [--no-browser]``: workshop
practice mode (docs/practice.md): the practice city, virtual cards, the payment simulator,
seats at ``/seat/N`` and the volunteer's page at ``/volunteer``; never anything real.
``demo --practice`` does the same.

``python -m kiosk serve [--port P] [--data-dir D]``: the kiosk web app alone, configured
from ``MADOGUCHI_CONFIG`` / ``MADOGUCHI_*`` settings, never opening a browser (a kiosk
terminal's systemd unit runs this).
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from pathlib import Path

from kiosk.app import KioskConfig, serve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kiosk")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="run the kiosk on the sample city with its companions")
    serve_cmd = sub.add_parser("serve", help="serve the kiosk web app alone (no browser)")
    for cmd in (demo, serve_cmd):
        cmd.add_argument("--port", type=int, help="port on 127.0.0.1 (default 8550)")
        cmd.add_argument("--data-dir", type=Path, help="where the SQLite files live (default var/)")
    demo.add_argument("--no-browser", action="store_true", help="do not open Chromium")
    demo.add_argument("--practice", action="store_true", help="workshop practice mode instead")
    practice = sub.add_parser("practice", help="workshop practice mode (docs/practice.md)")
    practice.add_argument("--port", type=int, help="port on 127.0.0.1 (default 8560)")
    practice.add_argument("--data-dir", type=Path, help="practice data (default var/practice/)")
    practice.add_argument("--seats", type=int, help="seats in the room (default 5)")
    practice.add_argument("--no-browser", action="store_true", help="do not open Chromium")
    args = parser.parse_args(argv)
    if args.command == "practice" or getattr(args, "practice", False):
        from kiosk.practice.__main__ import run_practice

        return run_practice(args)

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per sync request is noise
    overrides: dict[str, object] = {}
    if args.port is not None:
        overrides["port"] = args.port
    if args.data_dir is not None:
        overrides["data_dir"] = args.data_dir
    if args.command == "serve" or args.no_browser:
        overrides["open_browser"] = False
    config = KioskConfig.from_env().with_values(overrides)
    config.data_dir.mkdir(parents=True, exist_ok=True)

    if args.command == "serve":
        print(f"Madoguchi kiosk: http://{config.host}:{config.port}/", flush=True)
        serve(config)
        return 0

    from kiosk.demo import start_companions, stop_companions

    # `kill`, systemd's stop, a closed terminal: leave no companion running (SIGTERM
    # would otherwise end the process without the ``finally`` below)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _exit_on_signal)
    config, companions = start_companions(config)
    url = f"http://{config.host}:{config.port}/"
    for companion in companions:
        print(f"  {companion.name}: {companion.url}", flush=True)
    print(f"Madoguchi kiosk: {url}", flush=True)
    print("  workshop practice mode: python -m kiosk practice (docs/practice.md)", flush=True)
    browser = None
    if config.open_browser and os.environ.get("DISPLAY"):
        from kiosk.browser import KioskBrowser

        browser = KioskBrowser(url).start()  # once the kiosk answers
    try:
        serve(config)
    finally:
        if browser is not None:
            browser.stop()
        stop_companions(companions)
    return 0


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


if __name__ == "__main__":
    sys.exit(main())
