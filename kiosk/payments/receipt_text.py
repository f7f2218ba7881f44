"""The printed receipt: the person's language first, then a Japanese part for staff,
then the QR code of the signed booking token staff scan at check-in.

Japanese receipt printers print Shift_JIS: text in a script it cannot carry comes out
as ``?`` (see ``escpos.encode_text``); the Japanese part and the QR code always print.
"""

from __future__ import annotations

from kiosk.flow import payment_messages as P
from kiosk.i18n import Translator
from kiosk.payments.escpos import Receipt


def receipt_document(flow, receipt, booking, payment) -> Receipt:
    """One receipt per booking paid (``receipt``: kiosk.payments.Receipt)."""
    from kiosk.flow.localize import data_text
    from kiosk.flow.payment_screens import place_of, when_of

    t, ja = flow.t, Translator("ja")
    city = flow.cache.city().name
    amount = payment.yen_for(receipt.booking_id) if payment is not None else 0
    payment_id = payment.payment_id if payment is not None else ""
    doc = Receipt()
    doc.line(t(P.RECEIPT_TITLE), big=True, align="center")
    doc.line(t(P.RECEIPT_CITY, city=data_text(t, city)), align="center")
    doc.rule()
    doc.line(t(P.RECEIPT_CODE, code=receipt.code), bold=True)
    if booking is not None:
        doc.line(t(P.RECEIPT_PLACE, place=place_of(flow, booking.unit_id)))
        doc.line(t(P.RECEIPT_WHEN, when=when_of(flow, booking)))
    doc.line(t(P.RECEIPT_AMOUNT, amount=t.yen(amount)), bold=True)
    doc.line(t(P.RECEIPT_METHOD))
    doc.line(t(P.RECEIPT_ID, payment_id=payment_id))
    doc.rule()
    doc.line(f"[{ja(P.STAFF_HEADER)}]", bold=True)
    doc.line(ja(P.STAFF_CODE, code=receipt.code))
    if booking is not None:
        doc.line(ja(P.STAFF_PLACE, place=place_of(flow, booking.unit_id, ja)))
        doc.line(ja(P.STAFF_WHEN, when=when_of(flow, booking, ja)))
    doc.line(ja(P.STAFF_PAID, amount=ja.yen(amount)))
    doc.line(ja(P.STAFF_ID, payment_id=payment_id))
    doc.qr(receipt.token)
    doc.line(t(P.RECEIPT_SHOW), align="center")
    return doc.cut()
