"""Every user-facing string of the flow, marked for extraction with N_.

Texts are English message ids with ``{placeholders}``; the catalogs in locales/ carry
the Japanese, やさしい日本語 and English texts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from collections.abc import Mapping

from kiosk.domain.model import Category
from kiosk.i18n import N_, NP_

# The language screen speaks every language at once: it has no language yet.
CHOOSE_LANGUAGE = "言語を選んでください / Choose your language"

TITLE_HOME = N_("What would you like to do?")
TASK_BOOK = N_("Book a room or court")
TASK_BOOK_DETAIL = N_("Halls, meeting rooms, gyms and tennis courts")
TITLE_CATEGORY = N_("What kind of place do you need?")
TITLE_UNIT = N_("Choose a place")
TITLE_CALENDAR = N_("Choose a day")
TITLE_TIME_BLOCKS = N_("Choose the time")
TITLE_IDENTIFY = N_("How will you identify yourself?")
TITLE_GUEST_NAME = N_("What is your name?")
TITLE_GUEST_PHONE = N_("What is your phone number?")
TITLE_CONFIRM = N_("Check your booking")
TITLE_DONE = N_("Your booking is done")

BACK = N_("Back")
START_OVER = N_("Start over")
CALL_STAFF = N_("If you need help, please call a staff member.")
STEP = N_("Step {step} of {steps}")

CATEGORY_NAMES: Mapping[Category, str] = {
    Category.HALL: N_("Halls"),
    Category.MEETING_ROOM: N_("Meeting rooms"),
    Category.JAPANESE_ROOM: N_("Japanese-style rooms"),
    Category.COOKING_ROOM: N_("Cooking rooms"),
    Category.GYM: N_("Gyms"),
    Category.TENNIS_COURT: N_("Tennis courts"),
}
UNIT_CAPACITY = N_("Up to {capacity} people")
UNIT_GROUP_ONLY = N_("Registered groups only")

PREVIOUS_MONTH = N_("Previous month")
NEXT_MONTH = N_("Next month")
DAY_AVAILABLE = N_("Free")
DAY_FULL = N_("Full")
DAY_CLOSED = N_("Closed")
DAY_NOT_BOOKABLE = N_("Not open for booking")
DAY_ACCESSIBLE = N_("{date}: {state}")
DAY_FREE_COUNT = N_("{free} of {total} free")

SLOT_FREE = N_("Free")
SLOT_TAKEN = N_("Taken")
SLOT_CLOSED = N_("Closed")
SLOT_PAST = N_("Past")
SLOT_NOT_YET_OPEN = N_("Not open for booking yet")
SLOT_SELECTED = N_("Selected")
SLOT_TIME_RANGE = N_("{start} to {end}")
SLOT_HOURLY_NAME = N_("{start} to {end}")
CONTINUE = N_("Next")
PICK_AT_LEAST_ONE = N_("Please choose at least one time.")
SELECTED_COUNT = N_("You chose {count} time(s).")

IDENTIFY_GUEST = N_("Enter my name and phone number")
IDENTIFY_GUEST_DETAIL = N_("Staff check your details when you arrive")

NAME_LABEL = N_("Name")
PHONE_LABEL = N_("Phone number")
RESIDENCY_QUESTION = N_("Do you live in {city}?")
RESIDENCY_YES = N_("Yes")
RESIDENCY_NO = N_("No")
RESIDENCY_NOTE = N_("Residents pay the resident rate. Staff check this when you arrive.")
NAME_MISSING = N_("Please enter your name.")
NAME_TOO_LONG = N_("The name is too long (up to {max} characters).")
PHONE_INVALID = N_("Please enter a phone number of 10 or 11 digits.")
RESIDENCY_MISSING = N_("Please answer whether you live in {city}.")

SUMMARY_PLACE = N_("Place")
SUMMARY_DAY = N_("Day")
SUMMARY_TIME = N_("Time")
SUMMARY_NAME = N_("Name")
SUMMARY_RATE = N_("Rate")
SUMMARY_NOTES = N_("Good to know")  # the unit's notes from the city data
SUMMARY_ACCESS = N_("Accessibility")  # the unit's barrier-free notes from the city data
RATE_RESIDENT = N_("Resident rate")
RATE_NON_RESIDENT = N_("Non-resident rate")
FEE_TITLE = N_("Fee")
FEE_QUANTITY = N_("{quantity} × {unit_price}")
FEE_TOTAL = N_("Total")
OPTIONS_TITLE = N_("Options")
EXEMPTION_TITLE = N_("Fee reduction")
EXEMPTION_NONE = N_("No reduction")
EXEMPTION_NOTE = N_("Bring the proof of the reduction when you come.")
BOOK = N_("Book it")
BOOK_SENDING = N_("Sending to the city. Please wait.")
SAVE_FAILED = N_("The booking could not be saved. Nothing was booked.")
BOOKING_REFUSED = N_("The booking was not accepted. Please choose another time or ask the staff.")

DONE_CODE = N_("Your booking number")
DONE_QR = N_("QR code of your booking number")
DONE_MESSAGE = N_("Show this number or QR code at the counter on the day. Pay at the counter.")
DONE_FINISH = N_("Finish")

TIMEOUT_TITLE = N_("Are you still there?")
TIMEOUT_COUNTDOWN = NP_(
    "The screen will go back to the start in {n} second.",
    "The screen will go back to the start in {n} seconds.",
)
TIMEOUT_MORE_TIME = N_("More time, please")
OK = N_("OK")
ERROR_TITLE = N_("Something went wrong")
ERROR_MESSAGE = N_("Sorry, the kiosk could not do that. Your choices are kept.")


@dataclass(frozen=True)
class Notice:
    """A message to show, as a message id plus its parameters (translated late)."""

    message: str
    params: Mapping[str, str | int] = field(default_factory=dict)
