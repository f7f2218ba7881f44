"""User-facing strings of the My Number card screens (kiosk/flow/card_screens.py).

The card's own failures and step messages live with the card code
(``kiosk.card.errors.CARD_ERROR_MESSAGES``, ``kiosk.card.session.STEP_MESSAGES``).
"""

from __future__ import annotations

from kiosk.i18n import N_

IDENTIFY_CARD = N_("Use my My Number card")
IDENTIFY_CARD_DETAIL = N_("You need the card and its 4-digit PIN. Residents get the resident rate.")
WITHOUT_CARD = N_("Use without a card")

TITLE_INSERT = N_("Put your My Number card on the reader")
INSERT_HINT = N_("Lay the card flat on the reader, face up. Leave it there until the screen says "
                 "you can take it.")
INSERT_PICTURE = N_("Picture: a My Number card lying face up on the card reader")

TITLE_PIN = N_("Enter your PIN")
PIN_ENTERED = N_("PIN: {entered} of {length} digits entered")
PIN_DELETE = N_("Delete")
PIN_CLEAR = N_("Clear")
PIN_OK = N_("OK")
PIN_HIDDEN = N_("The digits are hidden. Staff will never ask you for your PIN.")
PIN_SAME_DIGITS = N_("On most cards this is the same 4 digits as the PIN you entered a moment ago.")
PIN_FOUR_DIGITS = N_("Please enter the 4-digit PIN.")

TITLE_READING = N_("Reading your card")
READING_SERVER = N_("Checking your card with the city's system. Please wait.")

TITLE_CONSENT = N_("May the kiosk read your details from the card?")
CONSENT_INTRO = N_("With your PIN, the kiosk reads these four items from your card:")
CONSENT_ITEM_NAME = N_("Name")
CONSENT_ITEM_ADDRESS = N_("Address")
CONSENT_ITEM_BIRTH = N_("Date of birth")
CONSENT_ITEM_SEX = N_("Sex")
CONSENT_USE = N_("Your name is used for the booking. Your address is used only to check whether "
                 "you live in {city} (the resident rate).")
CONSENT_KEEP = N_("The city keeps your name and whether you live in {city}, so next time the card "
                  "and your PIN are enough. Your address, date of birth and sex are not kept.")
CONSENT_NUMBER = N_("The kiosk never reads your My Number (the 12-digit individual number).")
CONSENT_AGREE = N_("I agree")
CONSENT_DECLINE = N_("I do not agree: use without a card")

TITLE_FAILED = N_("The card could not be used")
RETRY = N_("Try again")

RATE_RESIDENT_FROM_CARD = N_("Resident rate (address on your My Number card)")
RATE_NON_RESIDENT_FROM_CARD = N_("Non-resident rate (address on your My Number card)")
