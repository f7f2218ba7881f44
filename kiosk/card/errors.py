"""Every way reading a card can fail, as a code with a translatable English message.

The UI shows ``t(CARD_ERROR_MESSAGES[err.code], **err.params)``; nothing here ever
carries personal data, a PIN or the individual number.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from kiosk.i18n import N_


class CardErrorCode(StrEnum):
    NO_READER = "no_reader"  # no reader connected, or the PC/SC service is not running
    CARD_REMOVED = "card_removed"  # the card left the reader before we were done
    UNKNOWN_CARD = "unknown_card"  # not a My Number card (the application is missing)
    WRONG_PIN = "wrong_pin"  # params: tries_left
    LAST_TRY = "last_try"  # one try left: the kiosk refuses to spend it
    CARD_LOCKED = "card_locked"  # PIN blocked: only the city office can reset it
    INVALID_PIN = "invalid_pin"  # not 4 digits; nothing was sent to the card
    TIMEOUT = "timeout"  # the card or the person took too long
    BAD_CARD_DATA = "bad_card_data"  # the card answered something we cannot parse
    CARD_ERROR = "card_error"  # an unexpected status word or reader failure
    FORBIDDEN_COMMAND = "forbidden_command"  # the kiosk tried something it must never send
    NOT_VERIFIED = "not_verified"  # the certificate or signature did not verify


CARD_ERROR_MESSAGES: Mapping[CardErrorCode, str] = {
    CardErrorCode.NO_READER: N_(
        "The card reader is not available. Please call a staff member."
    ),
    CardErrorCode.CARD_REMOVED: N_(
        "The card was taken out before reading finished. Please put it on the reader again."
    ),
    CardErrorCode.UNKNOWN_CARD: N_(
        "This card cannot be read here. Please use your My Number card."
    ),
    CardErrorCode.WRONG_PIN: N_(
        "The PIN is not correct. You can try {tries_left} more time(s)."
    ),
    CardErrorCode.LAST_TRY: N_(
        "Only one PIN try is left on this card. To keep your card from locking, "
        "please do not try here; go to the city office (市役所) to check your PIN."
    ),
    CardErrorCode.CARD_LOCKED: N_(
        "This card's PIN is locked. Please go to the city office (市役所) to have it reset."
    ),
    CardErrorCode.INVALID_PIN: N_("Please enter the 4-digit PIN."),
    CardErrorCode.TIMEOUT: N_("Reading the card took too long. Please try again."),
    CardErrorCode.BAD_CARD_DATA: N_(
        "The information on this card could not be read. Please ask a staff member."
    ),
    CardErrorCode.CARD_ERROR: N_(
        "The card could not be read. Please take it out and put it on the reader again."
    ),
    CardErrorCode.FORBIDDEN_COMMAND: N_(
        "The card could not be read. Please ask a staff member."
    ),
    CardErrorCode.NOT_VERIFIED: N_(
        "Your card's certificate could not be checked. Please ask a staff member."
    ),
}


class CardError(Exception):
    """A failure with a code the UI can explain. ``params`` fill the message."""

    code: CardErrorCode = CardErrorCode.CARD_ERROR

    def __init__(self, detail: str = "", code: CardErrorCode | None = None, **params: int | str):
        super().__init__(detail or str(code or self.code))
        if code is not None:
            self.code = code
        self.detail = detail
        self.params: dict[str, int | str] = params

    @property
    def message(self) -> str:
        """The English (msgid) message; translate with ``t(err.message, **err.params)``."""
        return CARD_ERROR_MESSAGES[self.code]


class NoReader(CardError):
    code = CardErrorCode.NO_READER


class CardRemoved(CardError):
    code = CardErrorCode.CARD_REMOVED


class UnknownCard(CardError):
    code = CardErrorCode.UNKNOWN_CARD


class WrongPin(CardError):
    code = CardErrorCode.WRONG_PIN

    def __init__(self, tries_left: int):
        super().__init__(f"wrong PIN, {tries_left} tries left", tries_left=tries_left)
        self.tries_left = tries_left


class LastTryLeft(CardError):
    """Raised INSTEAD of sending a PIN when the card has exactly one try left."""

    code = CardErrorCode.LAST_TRY


class CardLocked(CardError):
    code = CardErrorCode.CARD_LOCKED


class InvalidPin(CardError):
    code = CardErrorCode.INVALID_PIN


class CardTimeout(CardError):
    code = CardErrorCode.TIMEOUT


class BadCardData(CardError):
    code = CardErrorCode.BAD_CARD_DATA


class ForbiddenCommand(CardError):
    """The guard refused an APDU (e.g. one touching the individual number)."""

    code = CardErrorCode.FORBIDDEN_COMMAND


class NotVerified(CardError):
    code = CardErrorCode.NOT_VERIFIED
