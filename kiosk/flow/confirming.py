"""Booking: save it on the kiosk, then wait for the central server's answer without
freezing the kiosk.

The person taps "Book it": the booking is saved on the kiosk at once (cache and
outbox, one transaction), then the server is asked for its answer and the person waits
up to ``confirm_timeout_s``. That wait is a blocking network call, so the flow hands it
to the page as a ``PendingConfirmation`` (a ``kiosk.flow.pending.Pending``): the page
runs ``wait()`` on a worker thread (its event loop keeps drawing, the countdowns keep
ticking, the Book button says "Sending..." and nothing can be tapped twice) and calls
``finish(outcome)`` back on the loop.

Flow tests and scripts that do not care call ``KioskFlow.select_book()``, which does
both in one go.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from kiosk.cache import SlotConflict
from kiosk.domain.model import Booking, BookingStatus
from kiosk.flow.pending import Pending
from kiosk.flow import messages as M
from kiosk.flow.messages import Notice
from kiosk.flow.states import Event

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PendingConfirmation(Pending):
    booking: Booking | None = None


def begin_book(flow) -> PendingConfirmation | None:
    """Save the booking on the kiosk (cache and outbox, one transaction); when the
    server must be asked, return the wait for its answer."""
    from kiosk.flow.flow import slot_taken_notice, violation_notice

    flow._require(Event.SELECT_BOOK)
    s = flow.session
    if s.confirming is not None:  # a second tap while the first is on its way
        return None
    online = flow.online()
    try:
        booking, violations = flow.bookings.book(
            flow._draft(), flow.contact(), flow.clock.now(), online, flow.rng
        )
    except SlotConflict as conflict:  # taken between the check and the write
        s.notices = [slot_taken_notice(conflict, s.slots)]
        return None
    except Exception:  # the cache failed: say so plainly, keep every choice
        log.exception("recording a booking failed (unit %s)", s.unit_id)
        s.notices = [Notice(M.SAVE_FAILED)]
        return None
    if violations:
        s.notices = [violation_notice(v) for v in violations]
        return None
    if online and flow.link is not None:
        # The server is authoritative: ask it now, while the person waits. No answer
        # in time leaves the booking queued and provisional; sync settles it later.
        s.confirming = booking.id
        return PendingConfirmation(
            wait=lambda: flow.link.confirm(booking.id, flow.confirm_timeout_s),
            finish=lambda outcome: _finish_book(flow, booking, outcome), booking=booking)
    _booked(flow, booking, online=online)  # offline, or no server at all (flow tests)
    return None


def _finish_book(flow, booking, outcome) -> None:
    from kiosk.flow.flow import server_violation_notice

    s = flow.session
    if s.confirming != booking.id:
        return  # the session was wiped meanwhile: the outbox and sync carry on alone
    s.confirming = None
    if outcome is not None and not outcome.accepted:
        s.notices = [server_violation_notice(v, s.slots) for v in outcome.violations] \
            or [Notice(M.BOOKING_REFUSED)]
        return
    if outcome is None:
        # The person is told "provisional" and may leave: if the server refuses
        # it later, staff must follow up.
        flow.cache.mark_outbox_provisional(booking.id)
        _booked(flow, booking, online=False)
        return
    _booked(flow, replace(booking, status=outcome.status or BookingStatus.CONFIRMED), online=True)


def _booked(flow, booking, *, online: bool) -> None:
    s = flow.session
    s.booking = booking
    s.booked_offline = not online
    flow._go(flow.pay.after_booking(booking, online))
