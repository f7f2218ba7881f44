"""Test helpers shared by the cache tests (a unique module name: tests dirs are not packages)."""

from datetime import datetime

from kiosk.domain.model import Booking, BookingStatus, Residency, Slot


def make_booking(n: int = 1, unit_id: str = "chuo-meeting-1", day: datetime = datetime(2027, 2, 3),
                 blocks=((9, 12),), status=BookingStatus.CONFIRMED, code: str | None = None) -> Booking:
    return Booking(
        id=f"b{n:031d}", code=code or f"K{n:02d}-4MX", unit_id=unit_id,
        slots=tuple(Slot(day.replace(hour=a), day.replace(hour=b), None) for a, b in blocks),
        status=status, residency=Residency.RESIDENT, total_yen=600,
        created_at=datetime(2027, 1, 10, 10, 0, n % 60))
