"""Every string of practice mode: the band on the learner's screens, the practice card
and payment buttons, the volunteer's page and the printed guide."""

from __future__ import annotations

from kiosk.i18n import N_

# The band (kiosk/ui/practice_band.py), on every screen of a practice seat.
PRACTICE = N_("Practice")
NOTHING_REAL = N_("This is practice. No real booking and no real payment are made.")
SEAT = N_("Seat {n}")
CARD_PIN = N_("Practice card PIN: {pin}")
INSERT_CARD = N_("Put the practice card on the reader")
REMOVE_CARD = N_("Take the practice card away")
OPEN_PAY_APP = N_("Open the practice payment app")
PAY_APP_HINT = N_("Pay on the practice payment app in a second tab: {url}")

# The volunteer's page (kiosk/ui/volunteer.py).
VOLUNTEER_TITLE = N_("Practice room: seats and steps")
VOLUNTEER_CODE = N_("Volunteer code")
VOLUNTEER_ENTER = N_("Open the room")
VOLUNTEER_WRONG = N_("That code is not correct.")
VOLUNTEER_LOCKED = N_("Too many wrong codes. Please wait a minute.")
SEATS_COUNT = N_("Seats in this room: {n}")
SEATS_MORE = N_("One more seat")
SEATS_FEWER = N_("One seat fewer")
SEAT_STEP = N_("Step {number} of {steps}: {step}")
SEAT_OPEN = N_("open on a screen")
SEAT_CLOSED = N_("not open yet")
RESET_SEAT = N_("Reset seat {n}")
RESET_ALL = N_("Reset all seats")
RESET_DONE = N_("Reset: {seats} seat(s) back at the start, {bookings} practice booking(s) removed.")
RESET_LEFT = N_("Some practice bookings could not be removed yet: {n}. Tap reset again.")
ROOM_UNREADABLE = N_("The saved practice room could not be read. A new room was started.")

# The printed guide (kiosk/tools/guides.py).
GUIDE_TITLE = N_("How to book a room at the kiosk: a practice guide")
GUIDE_INTRO = N_("Practise with the practice card. Its PIN is {pin}. Nothing is really booked or paid.")
GUIDE_STEP_LANGUAGE = N_("Choose your language.")
GUIDE_STEP_HOME = N_("Tap \"{button}\".")
GUIDE_STEP_PLACE = N_("Choose the kind of place, then the place.")
GUIDE_STEP_DAY = N_("Choose a day, then the time.")
GUIDE_STEP_IDENTIFY = N_("Choose how you identify yourself: My Number card, or your name and phone number.")
GUIDE_STEP_CONFIRM = N_("Check the booking and the usage fee, then book it.")
GUIDE_STEP_PAY = N_("Pay with a payment app, or at the counter.")
GUIDE_STEP_DONE = N_("Keep your booking number. Staff can help you at any time.")
