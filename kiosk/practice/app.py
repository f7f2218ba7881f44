"""The practice kiosk web app: seats (``/seat/N``, or ``/`` for the next free seat) and the
volunteer's page (``/volunteer``, ``?lang=en`` for English), one Flet server on 127.0.0.1.

Each seat is the ordinary kiosk (``KioskPage`` over ``KioskFlow``) on the practice city,
wired to the practice server and simulator only (``kiosk.practice.stack``), with its own
virtual My Number card and the practice band (``kiosk.ui.practice_band``).
"""

from __future__ import annotations

import logging
import os
from urllib.parse import parse_qs, urlsplit

from kiosk.practice.config import MAX_SEATS
from kiosk.practice.stack import PracticeStack, receipt_printer_setting

log = logging.getLogger(__name__)


def parse_route(route: str | None) -> tuple[str, int | None, str | None]:
    """("volunteer" | "seat", seat number or None, language or None) of a page's route.

    >>> parse_route("/seat/3"), parse_route("/volunteer?lang=en"), parse_route("/")
    (('seat', 3, None), ('volunteer', None, 'en'), ('seat', None, None))
    """
    parts = urlsplit(route or "/")
    lang = (parse_qs(parts.query).get("lang") or [None])[0]
    path = [p for p in parts.path.split("/") if p]
    if path[:1] == ["volunteer"]:
        return "volunteer", None, lang
    if len(path) == 2 and path[0] == "seat" and path[1].isdigit() and 1 <= int(path[1]) <= MAX_SEATS:
        return "seat", int(path[1]), lang
    return "seat", None, lang


def serve_practice(stack: PracticeStack) -> None:
    """Serve the practice kiosk until stopped (the stack is the caller's to close)."""
    import flet as ft

    from kiosk.app import ASSETS_DIR, make_clock, make_link, make_payments, open_cache, start_maintenance
    from kiosk.assist_wiring import attach_assist, make_assist
    from kiosk.card.identity_client import IdentityClient, TrustCache
    from kiosk.domain.model import BookingStatus
    from kiosk.flow.card_identify import CardFeature
    from kiosk.flow.flow import KioskFlow
    from kiosk.i18n import LANGUAGES_BY_CODE
    from kiosk.practice.room import VolunteerLock
    from kiosk.practice.room_store import FILE_NAME as ROOM_FILE, open_room
    from kiosk.practice.seat import SeatContext
    from kiosk.practice.volunteer import Volunteer
    from kiosk.server_link import LinkClock
    from kiosk.ui import practice_band, theme
    from kiosk.ui.page import KioskPage
    from kiosk.ui.volunteer import VolunteerPage

    config, settings = stack.config, stack.settings
    os.environ["MADOGUCHI_RECEIPT_PRINTER"] = receipt_printer_setting(config.data_dir)
    cache = open_cache(config)
    link = make_link(config, cache, make_clock(config))
    clock = LinkClock(link)
    maintenance = start_maintenance(config, cache, clock)
    payments, printer = make_payments(config)
    assist = make_assist(config)  # call staff (to the practice server), helper view
    identity = IdentityClient(config.server_url, config.kiosk_token_file.read_text().strip())
    trust = TrustCache(config.data_dir / "jpki-trust-cache.pem", config.jpki_trust)

    def forget(booking_ids: list[str]) -> None:
        """On the UI loop, after a reset cancelled these on the practice server."""
        for booking_id in booking_ids:
            try:
                cache.set_booking_status(booking_id, BookingStatus.CANCELLED, "practice reset")
            except KeyError:
                pass  # made on another kiosk

    # cancel: HTTP, run off the UI loop; the room survives a restart (room_store.py)
    room = open_room(config.data_dir / ROOM_FILE, settings.seats, stack.cancel)
    lock = VolunteerLock(settings.volunteer_code)
    base_url = f"http://{config.host}:{config.port}"

    async def main(page: ft.Page) -> None:
        kind, number, lang = parse_route(page.route)
        theme.apply(page, ASSETS_DIR)
        if kind == "volunteer":
            page.title = "Madoguchi practice: volunteer"
            model = Volunteer(room, lock, base_url, lang if lang in LANGUAGES_BY_CODE else "ja")
            volunteer = VolunteerPage(page, model, on_done=lambda: forget(model.take_cancelled()))

            async def gone(e) -> None:
                volunteer.close()

            page.on_disconnect = page.on_close = gone
            volunteer.start()
            return
        if number is None:
            number = room.free_seat()
        if number > len(room.seats):
            room.set_seat_count(number)
        page.title = f"Madoguchi practice: seat {number}"
        seat = SeatContext(room, number, stack.endpoints.paysim_url)
        feature = CardFeature(seat.card, identity, trust, wait_timeout_s=config.card_wait_timeout_s)
        feature.started = True  # an in-process card: nothing to start
        flow = KioskFlow(cache, clock, link=link, confirm_timeout_s=config.confirm_timeout_s,
                         card=feature, payments=payments, printer=printer)
        attach_assist(flow, assist)
        kiosk = KioskPage(page, flow, timeout_s=config.inactivity_timeout_s,
                          warning_s=config.inactivity_warning_s)
        kiosk.practice = seat  # the band on every screen (kiosk.ui.practice_band)

        async def on_disconnect(e) -> None:
            if not kiosk.closed:
                kiosk.close()
                seat.close()

        page.on_disconnect = page.on_close = on_disconnect
        kiosk.start()
        page.run_task(practice_band.watch, kiosk, seat)

    os.environ.setdefault("FLET_WEB_NO_CDN", "1")
    try:
        ft.run(main, view=ft.AppView.WEB_BROWSER, host=config.host, port=config.port,
               assets_dir=str(ASSETS_DIR), no_cdn=True)
    finally:
        maintenance.stop()
        assist.close()
        close = getattr(link, "close", None)
        if close is not None:
            close()


def banner(stack: PracticeStack) -> list[str]:
    """What ``python -m kiosk practice`` prints for the volunteer."""
    from kiosk.practice.seat import PRACTICE_IDENTITY

    c, s = stack.config, stack.settings
    base = f"http://{c.host}:{c.port}"
    lines = ["Madoguchi PRACTICE mode (練習): practice city 練習市, nothing real is booked or paid",
             f"  data dir: {c.data_dir}",
             f"  practice central server: {stack.endpoints.server_url}",
             f"  practice payment app (open it in a second tab to pay): {stack.endpoints.paysim_url}/",
             *([f"  practice payment app for phones on this network (the QR code opens it): "
                f"{stack.endpoints.phone_url}/"] if stack.endpoints.phone_url else []),
             f"  practice My Number card: {PRACTICE_IDENTITY.name}, PIN {PRACTICE_IDENTITY.auth_pin} "
             "(put it on the reader with the button in the band)",
             f"  volunteer page: {base}/volunteer (code {s.volunteer_code})"]
    lines += [f"  seat {n}: {base}/seat/{n}" for n in range(1, s.seats + 1)]
    return lines
