"""Fees: usage per slot at the resident or non-resident rate, surcharges, exemptions.

Shown to the person item by item, so a quote is a list of lines, one per kind of
charge, and the total is always their sum. Yen only, integers only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from kiosk.domain.model import (
    HOURLY_RATE_KEY,
    BookingMode,
    Exemption,
    LocalizedText,
    Residency,
    Slot,
    SurchargeBasis,
    Unit,
)
from kiosk.i18n import N_

USAGE_PREFIX = "usage:"
EXEMPTION_PREFIX = "exemption:"

# What a fee line is called, as message ids the UI translates ("{name}" is the block,
# hour or exemption name in the same language). No per-language dicts here: every
# language the kiosk speaks gets these from its catalog.
USAGE_LABEL = N_("Usage fee ({name})")
EXEMPTION_LABEL = N_("Fee reduction ({name} {percent}%)")


@dataclass(frozen=True, slots=True)
class FeeLabel:
    """What a fee line is called, for the UI to say in the person's language.

    ``names`` come from the city data (Japanese always present); ``name_key`` is the
    block code or ``"hour"``, whose standard name the kiosk's catalogs carry for any
    language the data does not (see ``kiosk.flow.localize``).
    """

    message: str  # a message id with {name} (and {percent}); "" for a surcharge: its name alone
    names: LocalizedText
    name_key: str = ""
    percent: int = 0


@dataclass(frozen=True, slots=True)
class FeeLine:
    code: str  # "usage:morning", "usage:hour", a surcharge code, "exemption:disability"
    label: FeeLabel
    quantity: int
    unit_yen: int
    amount_yen: int  # negative for the exemption line


@dataclass(frozen=True, slots=True)
class FeeQuote:
    lines: tuple[FeeLine, ...]
    total_yen: int


def exemption_discount(usage_yen: int, percent: int) -> int:
    """Yen taken off ``usage_yen`` by a ``percent`` exemption.

    The fee left to pay is rounded down to whole yen, in the person's favour, so the
    discount is rounded up; it never exceeds the usage fee.

    >>> exemption_discount(1150, 50)  # 575 off, 575 left
    575
    >>> exemption_discount(1155, 50)  # 577.5 off: 578 off, 577 left
    578
    """
    if not 0 <= percent <= 100:
        raise ValueError(f"exemption percent must be 0..100, got {percent}")
    return min(usage_yen, -(-usage_yen * percent // 100))


def quote(
    unit: Unit,
    slots: Sequence[Slot],
    residency: Residency,
    surcharge_codes: Collection[str] = (),
    exemption: Exemption | None = None,
) -> FeeQuote:
    """The fee for booking ``slots`` of ``unit``, line by line.

    Lines: usage per block (in the unit's block order) or per hour, then surcharges in
    the unit's order, then the exemption, which reduces the usage fee only. Raises
    ValueError for data the rules should have refused first: an unknown surcharge code,
    a slot with no rate.
    """
    lines: list[FeeLine] = []
    if unit.mode is BookingMode.BLOCK:
        counts = Counter(slot.block_code for slot in slots)
        for block in unit.blocks:
            n = counts.pop(block.code, 0)
            if n:
                lines.append(_usage_line(unit, block.code, block.names, n, residency))
        if counts:
            raise ValueError(f"unit {unit.id} has no block {sorted(map(str, counts))}")
    elif slots:
        lines.append(_usage_line(unit, HOURLY_RATE_KEY, {}, len(slots), residency))
    usage_yen = sum(line.amount_yen for line in lines)

    wanted = set(surcharge_codes)
    unknown = wanted - {s.code for s in unit.surcharges}
    if unknown:
        raise ValueError(f"unit {unit.id} offers no surcharge {sorted(unknown)}")
    for surcharge in unit.surcharges:
        if surcharge.code in wanted:
            qty = len(slots) if surcharge.basis is SurchargeBasis.PER_SLOT else 1
            yen = _non_negative(surcharge.rate.for_(residency), unit, surcharge.code)
            lines.append(FeeLine(surcharge.code, FeeLabel("", surcharge.names), qty, yen, qty * yen))

    if exemption is not None:
        discount = exemption_discount(usage_yen, exemption.percent)
        label = FeeLabel(EXEMPTION_LABEL, exemption.names, percent=exemption.percent)
        lines.append(FeeLine(EXEMPTION_PREFIX + exemption.code, label, 1, -discount, -discount))
    return FeeQuote(tuple(lines), sum(line.amount_yen for line in lines))


def _usage_line(
    unit: Unit, rate_key: str, names: LocalizedText, quantity: int, residency: Residency
) -> FeeLine:
    rate = unit.rates.get(rate_key)
    if rate is None:
        raise ValueError(f"unit {unit.id} has no rate {rate_key!r}")
    yen = _non_negative(rate.for_(residency), unit, rate_key)
    label = FeeLabel(USAGE_LABEL, names, name_key=rate_key)
    return FeeLine(USAGE_PREFIX + rate_key, label, quantity, yen, quantity * yen)


def _non_negative(yen: int, unit: Unit, what: str) -> int:
    # A negative rate is a data error; letting it through could make a total negative.
    if yen < 0:
        raise ValueError(f"unit {unit.id} has a negative rate for {what!r}")
    return yen
