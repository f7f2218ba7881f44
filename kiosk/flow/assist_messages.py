"""Assisted mode's messages: calling staff, the staff PIN, the helper's explanations.

The helper's explanations are read by a staff member or volunteer (in Japanese, the
helper's language, ``HELPER_LANGUAGE``): what the person does on this screen and what
the helper should check. Like every message they are English ids translated in every
catalog, so a city may choose another helper language.
"""

from __future__ import annotations

from collections.abc import Mapping

from kiosk.flow.states import State
from kiosk.i18n import N_

HELPER_LANGUAGE = "ja"

# The language screen has no language yet: it speaks Japanese and English at once, in
# few words (its font is subset to the glyphs it shows: kiosk/tools/build_script_fonts.py).
CALL_STAFF_LANGUAGE_SCREEN = "職員を呼ぶ / Call staff"
LANGUAGE_SCREEN_CALL = {
    "sent": "職員を呼びました / Staff have been called",
    "acknowledged": "職員が来ます / A staff member is coming",
    "ask": "窓口で聞いてください / Please ask at the counter",
    "cancel": "呼び出しを取り消す / Cancel the call",
    "cancelled": "取り消しました / The call is cancelled",
}

CALL_STAFF = N_("Call staff")
CALL_SENT = N_("Staff have been called. Please wait here.")
CALL_ACKNOWLEDGED = N_("A staff member is coming. Please wait here.")
CALL_QUEUED = N_("The kiosk cannot reach the office now. The call will go out when it can. "
                 "Meanwhile, please ask at the counter.")
CALL_NO_SERVER = N_("This kiosk cannot call staff. Please ask at the counter.")
CALL_CANCEL = N_("Cancel the call")
CALL_CANCELLED = N_("The call is cancelled.")

HELPER_VIEW = N_("Helper view")
HELPER_PIN_TITLE = N_("Staff PIN for helper view")
HELPER_PIN_HINT = N_("For staff and volunteers: enter the staff PIN. The person's choices are kept.")
HELPER_PIN_WRONG = N_("The staff PIN is not correct.")
HELPER_PIN_LOCKED = N_("Too many wrong PINs. Please try again in a few minutes.")
HELPER_PIN_NOT_SET_UP = N_("Helper view is not set up on this kiosk.")
HELPER_PIN_ENTERED = N_("Staff PIN: {entered} digits entered")
HELPER_BAND = N_("Helper view")
HELPER_LEAVE = N_("Leave helper view")

# What the helper reads on each screen: what the person does here, what to check.
HELP_FOR: Mapping[State, str] = {
    State.LANGUAGE: N_("Let the person choose their language. Then switch to helper view again if needed."),
    State.HOME: N_("The person chooses to book a place or to see their bookings."),
    State.CATEGORY: N_("Ask what the place is for (meeting, sport, cooking) and let them choose the kind."),
    State.UNIT: N_("Let them choose the place. Check the number of people and 'groups only'."),
    State.CALENDAR: N_("Let them choose a day. ○ has free times, × is full, 休 is closed."),
    State.TIME_BLOCKS: N_("Let them tap one or more times, then Next. Japanese block names are shown for you."),
    State.IDENTIFY: N_("My Number card gives the resident rate at once. Without a card, they enter name and phone."),
    # the guest's three questions (name, phone, residency) share one explanation
    **dict.fromkeys((State.GUEST_NAME, State.GUEST_PHONE, State.GUEST_RESIDENCY), N_(
        "Let the person type their own name and phone. Check whether they live in the city.")),
    State.CONFIRM: N_("Read the place, day, time and fee together. Ask about fee reductions before booking."),
    State.DONE: N_("Check that they keep the booking number or QR code. Then tap Finish."),
    State.CARD_INSERT: N_("Help them lay the card face up on the reader. Do not hold the card yourself."),
    State.CARD_PIN: N_("Look away: the person types their card PIN alone. Never ask for it."),
    State.CARD_READING: N_("Wait. Do not remove the card until the screen changes."),
    State.CARD_CONSENT: N_("Explain which four items are read. The person decides; 'no' is fine too."),
    State.CARD_FAILED: N_("Read the reason together. With one try left, send them to the city office."),
    State.PAY_CHOICE: N_("Paying by QR needs a payment app on their phone. Otherwise they pay at the counter."),
    State.PAYING: N_("Help them scan the QR code with their payment app. Do not use your own phone."),
    State.PAY_FAILED: N_("Nothing was charged twice. They may try again or pay at the counter."),
    State.RECEIPT: N_("The fee is paid. Check that they take the receipt."),
    State.COUNTER: N_("The booking is kept. Guide them to the counter to pay."),
    State.MY_LOOKUP: N_("Let them type the booking number and phone number themselves."),
    State.MY_BOOKING: N_("Read the booking together. They may pay or cancel it here."),
    State.MY_CANCEL: N_("Check the refund and the booking before they confirm the cancellation."),
    State.MY_CANCELLED: N_("The booking is cancelled. Check what the screen says about the refund."),
}
