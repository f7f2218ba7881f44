"""Residency from an address: the kiosk (from the card) and the server (at registration)
decide it the same way.

    >>> from kiosk.domain.model import Residency
    >>> residency_for("千葉県みどり市中央１丁目", ["千葉県みどり市"]) is Residency.RESIDENT
    True
    >>> residency_for("千葉県 みどり市中央", ["千葉県みどり市"]) is Residency.RESIDENT
    True
    >>> residency_for("東京都千代田区", ["千葉県みどり市"]) is Residency.NON_RESIDENT
    True
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from kiosk.domain.model import Residency


def _norm(text: str) -> str:
    # Cards and open data differ in full/half-width forms and in spaces.
    return "".join(unicodedata.normalize("NFKC", text).split())


def residency_for(address: str, resident_address_prefixes: Sequence[str]) -> Residency:
    """Resident when the address starts with one of the city's prefixes."""
    address_n = _norm(address)
    for prefix in resident_address_prefixes:
        if prefix.strip() and address_n.startswith(_norm(prefix)):
            return Residency.RESIDENT
    return Residency.NON_RESIDENT
