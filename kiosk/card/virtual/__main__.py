"""Run the virtual My Number card against vpcd.

    python -m kiosk.card.virtual --host 127.0.0.1 --port 35963 [--identity card.json]
        [--control-port 0] [--removed] [--until-stdin-closes]

``--port`` may list several vpcd ports (``35963,35964``): the card takes the first
reader no other virtual card holds. Prints one JSON line ``{"control": URL, "port": N}``
on stdout when ready, then serves until killed.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading

from kiosk.card.virtual.control import ControlServer
from kiosk.card.virtual.identity import VirtualIdentity
from kiosk.card.virtual.model import VirtualMyNumberCard
from kiosk.card.virtual.vpcd import VpcdLink


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m kiosk.card.virtual", description=__doc__.split("\n\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", default="35963", help="vpcd port(s), comma-separated, first free wins")
    ap.add_argument("--identity", help="JSON file: name, address, birth_date, sex, PINs, tries")
    ap.add_argument("--control-port", type=int, default=0, help="HTTP control port on 127.0.0.1 (0: any free)")
    ap.add_argument("--removed", action="store_true", help="start with the card out of the reader")
    ap.add_argument("--wait", type=float, default=3.0, help="seconds to wait for vpcd to talk to us")
    ap.add_argument("--until-stdin-closes", action="store_true",
                    help="exit when stdin reaches end of file: the parent holds a pipe as a lifeline, "
                         "so the card never outlives a test run that was killed")
    args = ap.parse_args(argv)

    identity = VirtualIdentity.from_file(args.identity) if args.identity else VirtualIdentity()
    card = VirtualMyNumberCard(identity)
    ports = [int(p) for p in args.port.split(",") if p.strip()]
    link = None
    for port in ports:
        candidate = VpcdLink(card, args.host, port)
        try:
            # Only a reader no other card holds answers us. With --removed the card
            # claims it that way, then leaves it empty until "inserted".
            if candidate.insert(owned_timeout=args.wait):
                link = candidate
                if args.removed:
                    link.remove()
                break
        except OSError as exc:
            print(f"vpcd port {port}: {exc}", file=sys.stderr)
    if link is None:
        print(json.dumps({"error": f"no free vpcd reader on ports {ports} (is pcscd running?)"}), flush=True)
        return 2
    control = ControlServer(link, port=args.control_port).start()
    print(json.dumps({"control": control.url, "port": link.port}), flush=True)

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    if args.until_stdin_closes:
        def watch_lifeline() -> None:
            while sys.stdin.buffer.read(4096):
                pass
            stop.set()

        threading.Thread(target=watch_lifeline, daemon=True, name="lifeline").start()
    stop.wait()
    link.remove()
    control.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
