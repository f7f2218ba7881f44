"""Every user-facing string of payments, receipts and My bookings (marked with N_)."""

from __future__ import annotations

from kiosk.i18n import N_, NP_

TASK_MY_BOOKINGS = N_("My bookings")
TASK_MY_BOOKINGS_DETAIL = N_("Look up, pay or cancel a booking")

TITLE_PAY_CHOICE = N_("How would you like to pay?")
BOOKED_NOTE = N_("Your booking is confirmed. Booking number: {codes}")
PAY_QR = N_("Pay now with a smartphone app")
PAY_QR_DETAIL = N_("Scan a QR code with a payment app")
PAY_COUNTER = N_("Pay at the counter")
PAY_COUNTER_DETAIL = N_("Pay at the facility's counter by {deadline}")
BOOK_ANOTHER = N_("Book another place too")
BOOK_ANOTHER_DETAIL = N_("Then pay for all of them together")
PAY_OFFLINE = N_("Paying by app needs the connection to the city's system, which is down now. "
                 "Please pay at the counter.")
PAY_DISABLED = N_("Paying by app is not available at this kiosk. Please pay at the counter.")
AMOUNT_TO_PAY = N_("Amount to pay")

TITLE_PAYING = N_("Scan the QR code with your payment app")
PAYING_HOW = N_("Open your payment app, scan this code and confirm the amount.")
ACCEPTED_APPS = N_("Apps you can use: {apps}")
QR_LABEL = N_("QR code to pay {amount}")
TIME_LEFT = N_("Time left to pay: {time}")
MINUTES = NP_("{n} minute", "{n} minutes")
SECONDS = NP_("{n} second", "{n} seconds")
MINUTES_SECONDS = N_("{minutes} {seconds}")  # "4 minutes 30 seconds"; Japanese joins them
WAITING = N_("Waiting for your payment…")
CHECKING = N_("Checking the payment…")
CANCEL_PAYMENT = N_("Stop paying")

TITLE_PAY_FAILED = N_("The payment was not made")
FAILED_DECLINED = N_("The payment was declined in the app. Nothing was charged.")
FAILED_EXPIRED = N_("The time to pay ran out. Nothing was charged.")
FAILED_CANCELLED = N_("You stopped the payment. Nothing was charged.")
FAILED_UNAVAILABLE = N_("The payment could not be started because the payment service "
                        "is not answering. Nothing was charged.")
FAILED_REFUSED = N_("This booking cannot be paid now. Please ask at the counter.")
TRY_AGAIN = N_("Try again")

TITLE_RECEIPT = N_("Thank you. Payment received")
RECEIPT_PAID = N_("Paid: {amount}")
RECEIPT_QR = N_("Show this QR code at the counter on the day.")
RECEIPT_QR_LABEL = N_("QR code of booking {code} for check-in")
PRINT_RECEIPT = N_("Print the receipt")
PRINTING = N_("Printing the receipt. Please wait.")
PRINTED = N_("The receipt was printed. Please take it.")
PRINT_FAILED = N_("The receipt could not be printed. Please ask a staff member.")
FINISH = N_("Finish")

TITLE_COUNTER = N_("Please pay at the counter")
COUNTER_MESSAGE = N_("Show your booking number at the facility's counter and pay there.")
COUNTER_DEADLINE = N_("Please pay by {deadline}. An unpaid booking is cancelled after that.")

TITLE_MY_LOOKUP = N_("Find your booking")
CODE_LABEL = N_("Booking number")
LOOKUP = N_("Find it")
LOOKUP_NOT_FOUND = N_("No booking matches this booking number and phone number.")
LOOKUP_MISSING = N_("Please enter the booking number and your phone number.")
MY_OFFLINE = N_("Looking up bookings needs the connection to the city's system, which is down "
                "now. Please try later or ask at the counter.")

TITLE_MY_BOOKING = N_("Your booking")
STATUS_LABEL = N_("Status")
STATUS_PAID = N_("Confirmed and paid")
STATUS_UNPAID = N_("Confirmed, not paid yet (pay by {deadline})")
STATUS_NO_FEE = N_("Confirmed, nothing to pay")
STATUS_CANCELLED = N_("Cancelled")
STATUS_REJECTED = N_("Not accepted")
PAY_THIS = N_("Pay now with a smartphone app")
CANCEL_THIS = N_("Cancel this booking")
REFUND_FULL = N_("If you cancel now, {amount} is refunded.")
REFUND_NONE = N_("If you cancel now, the fee is not refunded (the deadline for a refund "
                 "was {deadline}).")
NOT_CANCELLABLE = N_("This booking can no longer be cancelled here. Please ask at the counter.")

TITLE_MY_CANCEL = N_("Cancel this booking?")
CONFIRM_CANCEL = N_("Yes, cancel it")
KEEP_BOOKING = N_("No, keep it")

TITLE_MY_CANCELLED = N_("Your booking is cancelled")
REFUNDED = N_("{amount} is being refunded to your payment app.")
REFUND_AT_COUNTER = N_("You paid at the counter: please collect {amount} at the counter.")
NO_REFUND = N_("No fee is refunded.")
CANCEL_FAILED = N_("The booking could not be cancelled now. Please try again or ask at the counter.")

# The printed receipt (person's language part); the staff part is fixed Japanese below.
RECEIPT_TITLE = N_("Receipt")
RECEIPT_CITY = N_("{city}: facility usage fee")
RECEIPT_CODE = N_("Booking number: {code}")
RECEIPT_PLACE = N_("Place: {place}")
RECEIPT_WHEN = N_("Date and time: {when}")
RECEIPT_AMOUNT = N_("Amount paid: {amount}")
RECEIPT_METHOD = N_("Paid by smartphone app")
RECEIPT_ID = N_("Payment ID: {payment_id}")
RECEIPT_SHOW = N_("Show the QR code below at the counter on the day.")

# The staff part of the printed receipt: always printed in Japanese.
STAFF_HEADER = N_("For staff")
STAFF_CODE = N_("Booking number: {code}")
STAFF_PLACE = N_("Place: {place}")
STAFF_WHEN = N_("Date and time: {when}")
STAFF_PAID = N_("Paid by QR payment: {amount}")
STAFF_ID = N_("Payment ID: {payment_id}")
