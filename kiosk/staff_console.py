"""The staff console: the city's calls as staff read them, in their language.

``rows(calls, t)`` turns the server's list into lines with the status said in words
(translated in every catalog): waiting, a staff member on the way, done, cancelled by
the person, or *left*: the person's session ended before anyone came. ``python -m
kiosk.staff_console`` prints them live from ``kiosk.staff_watch.CallWatch`` (server-sent
events, the long-poll as fallback).

    python -m kiosk.staff_console --server http://127.0.0.1:8600 --token-file var/staff.token [--lang ja]

    >>> from kiosk.i18n import Translator
    >>> call = {"call_id": "c1", "kiosk": "library-1", "screen": "confirm", "language": "vi",
    ...         "status": "left", "raised_at": "2026-11-25T10:02:00", "acknowledged_by": "tanaka"}
    >>> [r.status for r in rows([call], Translator("en"))]
    ["Left: the person's session ended"]
    >>> rows([call], Translator("ja"))[0].line
    '10:02  library-1  confirm  vi  離席: 利用者の操作が終わりました'
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from kiosk.i18n import LANGUAGES_BY_CODE, N_, Translator

TITLE = N_("Staff calls")
NO_CALLS = N_("No calls now.")
STATUS = {
    "open": N_("Waiting for staff"),
    "acknowledged": N_("A staff member is on the way: {name}"),
    "closed": N_("Done"),
    "cancelled": N_("Cancelled by the person"),
    "left": N_("Left: the person's session ended"),
}


@dataclass(frozen=True)
class CallRow:
    call_id: str
    status_code: str  # the server's status, for tests and colours
    status: str  # said in the console's language
    line: str


def status_text(call: dict, t: Translator) -> str:
    message = STATUS.get(call.get("status", ""))
    if message is None:  # a status newer than this console: show the server's word
        return str(call.get("status"))
    return t(message, name=call.get("acknowledged_by") or "")


def rows(calls: list[dict], t: Translator) -> list[CallRow]:
    out = []
    for call in calls:
        status = status_text(call, t)
        raised = str(call.get("raised_at") or "")[11:16]
        parts = [raised, call.get("kiosk", ""), call.get("screen", ""), call.get("language") or "-", status]
        out.append(CallRow(call["call_id"], call.get("status", ""), status, "  ".join(parts)))
    return out


def render(calls: list[dict], t: Translator) -> str:
    lines = [t(TITLE)] + ([r.line for r in rows(calls, t)] or [t(NO_CALLS)])
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from kiosk.staff_watch import CallWatch

    ap = argparse.ArgumentParser(prog="python -m kiosk.staff_console", description=__doc__.split("\n\n")[0])
    ap.add_argument("--server", required=True, help="the central server, e.g. http://127.0.0.1:8600")
    ap.add_argument("--token-file", type=Path, required=True, help="a staff token (enrol --staff NAME)")
    ap.add_argument("--lang", default="ja", choices=sorted(LANGUAGES_BY_CODE))
    ap.add_argument("--poll", action="store_true", help="long-poll only (a network that buffers streams)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    t = Translator(args.lang)
    lock = threading.Lock()

    def draw(calls: list[dict]) -> None:
        with lock:
            print(render(calls, t) + "\n", flush=True)

    watch = CallWatch(args.server, args.token_file.read_text().strip(), on_calls=draw,
                      stream=not args.poll).start()
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        watch.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
