"""The kiosk's payment flow through the real central server and simulator processes:
book, pay by QR (the customer's phone is the simulator), the receipt on screen and on
paper (ESC/POS read back), decline/cancel/try again, the counter, several bookings paid
together, My bookings (look up, pay, cancel with refund)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.cache import Cache
from kiosk.domain.model import Residency
from kiosk.flow import KioskFlow, State
from kiosk.opendata import load_city, sample_city_dir
from kiosk.payments.client import PaymentClient
from kiosk.payments.escpos import DummyPrinter
from kiosk.server_link import LinkClock, SyncedServerLink
from sync.client import SyncEngine

from .conftest import open_day

USED: set[tuple] = set()  # (day, block) booked by this module's kiosks on the shared server
from .escpos_parse import parse
from .stack import PayStack


@pytest.fixture(scope="module", autouse=True)
def catalogs():
    from kiosk.tools import compile_catalogs

    compile_catalogs.main([])


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PayStack]:
    tmp = tmp_path_factory.mktemp("kiosk-pay")
    s = PayStack(f"sqlite:///{tmp / 'server.sqlite'}", tmp)
    yield s
    s.close()


class Kiosk:
    def __init__(self, tmp: Path, stack: PayStack) -> None:
        self.cache = Cache.open(tmp / "kiosk.sqlite")
        self.cache.load_city(load_city(sample_city_dir()))
        self.link = SyncedServerLink(SyncEngine(self.cache, stack.server.url, stack.kiosk_token,
                                                timeout=2.0, long_poll_seconds=1.0, push_interval=0.2))
        self.link.start()
        self.client = PaymentClient(stack.server.url, stack.kiosk_token)
        self.printer = DummyPrinter()
        self.flow = KioskFlow(self.cache, LinkClock(self.link), link=self.link, confirm_timeout_s=5.0,
                              payments=self.client, printer=self.printer)
        self.stack = stack

    def book(self, day_offset: int, block: int = 0, lang: str = "en", first: bool = True,
             phone: str | None = None) -> None:
        import random

        # one person per test: the city's limit of active bookings per person holds
        phone = phone or self.__dict__.setdefault("phone", f"090-{random.randint(1000, 9999)}-{random.randint(1000, 9999)}")
        f = self.flow
        if first:
            f.select_language(lang)
            f.select_task()
        f.select_category("hall")
        f.select_unit("chuo-hall")
        day = open_day(min_days=day_offset)
        while (day, block) in USED:  # closed days make two offsets the same day
            day_offset += 1
            day = open_day(min_days=day_offset)
        USED.add((day, block))
        f.select_day(day)
        f.screen().slots[block].run()
        f.select_slots()
        f.select_identify_method("guest")
        f.select_guest_details("Hanako Yamada", phone, Residency.RESIDENT)
        f.select_book()
        assert f.state is State.PAY_CHOICE, f.notices_text()

    def wait_state(self, *states: State, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        pay = self.flow.pay
        while self.flow.state not in states:
            assert time.monotonic() < deadline, f"still {self.flow.state}"
            if pay.wants_poll():
                pay.apply(pay.fetch())  # what the page's PaymentWatch does
            time.sleep(0.1)

    def code_id(self) -> str:
        return self.flow.pay.s.payment.qr_url.rsplit("/", 1)[1]

    def close(self) -> None:
        self.link.close()
        self.client.close()
        self.cache.close()


@pytest.fixture
def kiosk(stack: PayStack, tmp_path: Path) -> Iterator[Kiosk]:
    k = Kiosk(tmp_path, stack)
    yield k
    k.close()


def test_book_pay_by_qr_receipt_on_screen_and_paper(kiosk: Kiosk, stack: PayStack) -> None:
    kiosk.book(30)
    f = kiosk.flow
    choice = f.screen()
    assert [o.id for o in choice.options] == ["pay-qr", "pay-counter", "book-another"]
    assert choice.options[0].enabled and choice.unavailable == ""
    assert choice.total.startswith("¥")
    choice.options[0].run()
    assert f.state is State.PAYING
    paying = f.screen()
    assert paying.qr_png.startswith(b"\x89PNG") and paying.qr_url.startswith(stack.sim.url + "/pay/")
    assert "minutes" in paying.countdown and paying.apps == "Apps you can use: PaySim"
    assert stack.sim.approve(kiosk.code_id()).status_code == 200
    kiosk.wait_state(State.RECEIPT)
    receipt = f.screen()
    booking = f.pay.s.bookings[0]
    assert [c.code for c in receipt.cards] == [booking.code]
    assert receipt.paid == f"Paid: ¥{f.pay.s.paid_yen:,}"
    printing = receipt.print.run()  # the page waits for the printer off its loop
    assert f.screen().print_note == "Printing the receipt. Please wait."
    assert not f.screen().print.enabled and receipt.print.run() is None  # not twice
    printing.settle()
    assert f.screen().print_note == "The receipt was printed. Please take it."
    lines, qrs, cuts = parse(kiosk.printer.output)
    assert cuts == 1 and len(qrs) == 1
    assert f"Booking number: {booking.code}" in lines
    assert any(line.startswith("予約番号") and booking.code in line for line in lines)  # staff part
    assert any("ＱＲ" in line or "QR" in line for line in lines)
    checked = stack.staff.post("/v1/staff/checkin", json={"token": qrs[0]})
    assert checked.status_code == 200 and checked.json()["paid"] is True
    f.screen().finish.run()
    assert f.state is State.LANGUAGE and f.session.pay.receipts == ()  # wiped


def test_decline_try_again_stop_then_counter(kiosk: Kiosk, stack: PayStack) -> None:
    kiosk.book(31, lang="ja")
    f = kiosk.flow
    f.pay.choose_qr()
    first = f.pay.s.payment.payment_id
    stack.sim.decline(kiosk.code_id())
    kiosk.wait_state(State.PAY_FAILED)
    failed = f.screen()
    assert failed.message == f.t("The payment was declined in the app. Nothing was charged.")
    assert [o.id for o in failed.options] == ["pay-retry", "pay-counter"]
    failed.options[0].run()  # try again: a new payment
    assert f.state is State.PAYING and f.pay.s.payment.payment_id != first
    f.screen().cancel.run()
    assert f.state is State.PAY_FAILED and f.pay.s.failure == "cancelled"
    f.screen().options[1].run()
    counter = f.screen()
    assert f.state is State.COUNTER and counter.deadline
    assert stack.sim.payment(f.pay.s.payment.payment_id)["status"] == "CANCELED"


def test_two_bookings_paid_together(kiosk: Kiosk, stack: PayStack) -> None:
    kiosk.book(32, block=0)
    kiosk.flow.pay.book_another()
    assert kiosk.flow.state is State.CATEGORY
    kiosk.book(32, block=1, first=False)
    f = kiosk.flow
    assert len(f.screen().bookings) == 2
    f.pay.choose_qr()
    assert len(f.pay.s.payment.booking_ids) == 2
    stack.sim.approve(kiosk.code_id())
    kiosk.wait_state(State.RECEIPT)
    assert len(f.screen().cards) == 2


def test_my_bookings_lookup_pay_and_cancel_with_refund(kiosk: Kiosk, stack: PayStack) -> None:
    kiosk.book(33, phone="080-5555-0101")
    f = kiosk.flow
    code = f.pay.s.bookings[0].code
    f.pay.choose_counter()
    f.start_over()
    f.select_language("en")
    home = f.screen()
    home.options[1].run()
    assert f.state is State.MY_LOOKUP
    f.screen().submit(code, "080-0000-0000")
    assert f.state is State.MY_LOOKUP
    assert f.notices_text() == ("No booking matches this booking number and phone number.",)
    f.screen().submit(code.lower(), "０８０−５５５５−０１０１")  # as typed on a Japanese IME
    assert f.state is State.MY_BOOKING, f.notices_text()
    mine = f.screen()
    assert any("not paid yet" in v for _, v in mine.summary)
    assert [a.id for a in mine.actions] == ["pay-qr", "cancel-booking", "finish"]
    mine.actions[0].run()
    assert f.state is State.PAYING
    stack.sim.approve(kiosk.code_id())
    kiosk.wait_state(State.RECEIPT)
    f.start_over()
    f.select_language("en")
    f.select_task("my_bookings")
    f.pay.lookup(code, "08055550101")
    mine = f.screen()
    assert ("Status", "Confirmed and paid") in mine.summary
    assert mine.note.startswith("If you cancel now, ¥") and [a.id for a in mine.actions] == ["cancel-booking", "finish"]
    mine.actions[0].run()
    assert f.state is State.MY_CANCEL
    f.screen().actions[0].run()
    assert f.state is State.MY_CANCELLED
    assert "is being refunded to your payment app" in f.screen().message


def test_without_payments_only_the_counter(stack: PayStack, tmp_path: Path) -> None:
    k = Kiosk(tmp_path, stack)
    k.client.close()
    k.flow.pay.client = PaymentClient("http://127.0.0.1:9", stack.kiosk_token, timeout=1)  # unreachable
    try:
        k.book(34)
        choice = k.flow.screen()
        assert not choice.options[0].enabled and choice.options[1].enabled
        assert "Please pay at the counter" in choice.unavailable
    finally:
        k.close()
