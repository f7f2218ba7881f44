"""``python -m kiosk practice`` (also ``python -m kiosk.practice``): start the practice
companions, print the seats and the volunteer page, serve until stopped."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys


def run_practice(args: argparse.Namespace) -> int:
    from kiosk.practice.app import banner, serve_practice
    from kiosk.practice.config import PracticeConfigError, PracticeSettings
    from kiosk.practice.stack import start_practice

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    no_browser = getattr(args, "no_browser", False)
    # `kill`, a closed terminal: stop the companions too (SIGTERM would otherwise end the
    # process without the ``finally`` below)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _exit_on_signal)
    try:
        settings = PracticeSettings.from_env(
            port=getattr(args, "port", None) if args.command == "practice" else None,
            data_dir=getattr(args, "data_dir", None) if args.command == "practice" else None,
            seats=getattr(args, "seats", None),
            open_browser=False if no_browser else None)
        stack = start_practice(settings)
    except PracticeConfigError as exc:
        print(f"practice mode refused: {exc}", file=sys.stderr)
        return 2
    try:
        for line in banner(stack):
            print(line, flush=True)
        browser = None
        if stack.config.open_browser and os.environ.get("DISPLAY"):
            from kiosk.browser import KioskBrowser

            browser = KioskBrowser(f"http://{stack.config.host}:{stack.config.port}/seat/1").start()
        try:
            serve_practice(stack)
        finally:
            if browser is not None:
                browser.stop()
    finally:
        stack.close()
    return 0


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    from kiosk.__main__ import main as kiosk_main

    return kiosk_main(["practice", *(argv if argv is not None else sys.argv[1:])])


if __name__ == "__main__":
    sys.exit(main())
