"""The kiosk's side of payments: a client of the central server's payment API, and
receipts (text in the person's language plus Japanese for staff, ESC/POS printing).

The kiosk never talks to the payment provider and holds no provider secret: the server
makes the QR code, hears from the provider, and tells the kiosk.
"""

from .client import (
    BookingFound,
    CancelResult,
    PaymentClient,
    PaymentConfig,
    PaymentRefused,
    PaymentStatus,
    PaymentUnavailable,
    Receipt,
)

__all__ = ["BookingFound", "CancelResult", "PaymentClient", "PaymentConfig", "PaymentRefused",
           "PaymentStatus", "PaymentUnavailable", "Receipt"]
