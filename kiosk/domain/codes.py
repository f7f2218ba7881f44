"""Booking ids (machine keys) and booking codes (short codes people read and type).

A booking code is five random characters and one check character, written "K7Q-4MX".
The alphabet leaves out 0/O, 1/I/L, which people confuse on screens and receipts; it has
31 characters, a prime, so a weighted check character modulo 31 catches every single
wrong character and every swap of two neighbouring characters.
"""

from __future__ import annotations

import random
import secrets
import unicodedata
import uuid

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_BASE = len(ALPHABET)  # 31, prime
_PAYLOAD = 5
_WEIGHTS = (6, 5, 4, 3, 2, 1)  # distinct, nonzero mod 31, neighbours differ by 1


def new_booking_id() -> str:
    """A new booking id: a random UUID as 32 hex digits, also the idempotency key."""
    return uuid.uuid4().hex


def _check_char(payload: str) -> str:
    # Chosen so that the weighted sum of all six characters is 0 mod 31.
    total = sum(w * _VALUE[ch] for w, ch in zip(_WEIGHTS, payload))
    return ALPHABET[-total % _BASE]


def new_booking_code(rng: random.Random | None = None) -> str:
    """A new booking code like "K7Q-4MX"; pass ``rng`` for reproducible codes (tests).

    About 28.6 million codes exist, so whoever stores them must still check uniqueness.

    >>> is_valid_booking_code(new_booking_code(random.Random(7)))
    True
    """
    choose = (rng or secrets.SystemRandom()).choice
    payload = "".join(choose(ALPHABET) for _ in range(_PAYLOAD))
    code = payload + _check_char(payload)
    return f"{code[:3]}-{code[3:]}"


def normalize_booking_code(text: str) -> str | None:
    """``text`` as typed (any case, full-width, spaces or dashes) in canonical form
    "XXX-XXX", or None when it is not a valid booking code.

    >>> normalize_booking_code(" ６ｍｗ－ｕｔｗ ")
    '6MW-UTW'
    >>> normalize_booking_code("6MW-UTX") is None  # one character wrong
    True
    """
    raw = unicodedata.normalize("NFKC", text).upper()
    chars = "".join(ch for ch in raw if ch not in " -\u2010\u2011\u2012\u2013\u2014\u2212\u30fc")
    if len(chars) != _PAYLOAD + 1 or any(ch not in _VALUE for ch in chars):
        return None
    if sum(w * _VALUE[ch] for w, ch in zip(_WEIGHTS, chars)) % _BASE != 0:
        return None
    return f"{chars[:3]}-{chars[3:]}"


def is_valid_booking_code(code: str) -> bool:
    """Whether ``code`` is a well-formed booking code with a correct check character.

    Lenient about how it was typed (case, full-width, spaces, dashes); use
    ``normalize_booking_code`` to get the canonical form for look-ups.
    """
    return normalize_booking_code(code) is not None
