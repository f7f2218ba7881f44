"""Paying in real headless Chromium: the kiosk process, the central server process and
the payment simulator process on 127.0.0.1. The customer's phone is a second page on
the simulator, opened as a workshop newcomer would: its list of waiting payments, then
Pay or Decline. Book, pay, see the receipt; decline; expiry; cancel and refund."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from playwright.async_api import expect

from payments.conftest import open_day
from payments.helpers import wait_until
from payments.stack import PayStack

from .ui import KioskUI
from .walk import enter_guest_details


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PayStack]:
    tmp = tmp_path_factory.mktemp("pay-stack")
    s = PayStack(f"sqlite:///{tmp / 'server.sqlite'}", tmp)
    yield s
    s.close()


@pytest.fixture(scope="module")
def kiosk_env(stack: PayStack, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    tmp = tmp_path_factory.mktemp("kiosk-token")
    token = tmp / "kiosk.token"
    token.write_text(stack.kiosk_token)
    return {"MADOGUCHI_SERVER_URL": stack.server.url, "MADOGUCHI_KIOSK_TOKEN_FILE": str(token),
            "MADOGUCHI_RECEIPT_PRINTER": f"file:{tmp / 'printer.escpos'}"}


async def book_and_choose(ui: KioskUI, day: date, slot: str, phone: str) -> None:
    await ui.tap_id("lang-en")
    await ui.expect_title("What would you like to do?")
    await ui.tap_id("task-book")
    await ui.expect_title("What kind of place do you need?")
    await ui.tap_id("category-hall")
    await ui.expect_title("Choose a place")
    await ui.tap_id("unit-chuo-hall")
    await ui.expect_title("Choose a day")
    month = ui.by_id("month")
    await month.wait_for()
    for _ in range(3):  # the day is at most a month or two ahead
        if (await month.inner_text()).strip() == day.strftime("%B %Y"):
            break
        shown = (await month.inner_text()).strip()
        await ui.tap_id("month-next")
        await expect(month).not_to_have_text(shown)
    await expect(month).to_have_text(day.strftime("%B %Y"))
    await ui.tap_id(f"day-{day.isoformat()}")
    await ui.expect_title("Choose the time")
    await ui.tap_id(f"slot-{slot}")
    await expect(ui.by_id("selection")).to_have_text("You chose 1 time(s).")
    await ui.tap_id("next")
    await ui.expect_title("How will you identify yourself?")
    await ui.tap_id("identify-guest")
    await ui.expect_title("What is your name?")
    await enter_guest_details(ui, "Hanako Yamada", phone)
    await ui.expect_title("Check your booking")
    await ui.tap_id("book")
    await ui.expect_title("How would you like to pay?", timeout=20_000)




async def open_customer_page(browser, stack: PayStack):
    context = await browser.new_context(viewport={"width": 420, "height": 860}, locale="ja-JP")
    page = await context.new_page()
    await page.goto(stack.sim.url + "/")
    link = page.locator("a.pay").last
    await link.wait_for(timeout=10_000)
    await link.click()
    await expect(page.locator("#pay")).to_be_enabled(timeout=10_000)
    return page


def phone() -> str:
    return f"090-{random.randint(1000, 9999)}-{random.randint(1000, 9999)}"


async def test_book_pay_from_a_second_tab_and_see_the_receipt(ui: KioskUI, browser, stack: PayStack) -> None:
    await book_and_choose(ui, open_day(min_days=12), "0900", phone())
    await ui.screenshot("pay-choice")
    await ui.tap_id("pay-qr")
    await ui.expect_title("Scan the QR code with your payment app")
    await ui.wait_for_id("payment-qr")
    assert "Time left to pay:" in await ui.text() and "PaySim" in await ui.text()
    await ui.screenshot("paying")
    customer = await open_customer_page(browser, stack)
    assert "¥" in await customer.locator("#amount").inner_text() or "￥" in await customer.locator("#amount").inner_text()
    await customer.locator("#pay").click()
    await expect(customer.locator("#status")).to_contain_text("Paid")
    await ui.expect_title("Thank you. Payment received", timeout=20_000)
    text = await ui.text()
    assert "Paid: ¥" in text and "Show this QR code at the counter on the day." in text
    await ui.screenshot("receipt")
    await ui.tap_id("print-receipt")
    await ui.wait_for_text("The receipt was printed. Please take it.")
    await customer.context.close()
    await ui.tap_id("finish")
    await ui.expect_title("言語を選んでください / Choose your language")


async def test_decline_then_pay_at_the_counter(ui: KioskUI, browser, stack: PayStack) -> None:
    await book_and_choose(ui, open_day(min_days=14), "1300", phone())
    await ui.tap_id("pay-qr")
    await ui.expect_title("Scan the QR code with your payment app")
    customer = await open_customer_page(browser, stack)
    await customer.locator("#decline").click()
    await expect(customer.locator("#status")).to_contain_text("Declined")
    await ui.expect_title("The payment was not made", timeout=20_000)
    assert "declined in the app. Nothing was charged." in await ui.text()
    await ui.screenshot("declined")
    await ui.tap_id("pay-counter")
    await ui.expect_title("Please pay at the counter")
    await ui.wait_for_id("pay-deadline")
    await customer.context.close()


async def test_expiry(ui: KioskUI, stack: PayStack) -> None:
    await book_and_choose(ui, open_day(min_days=16), "1800", phone())
    await ui.tap_id("pay-qr")
    await ui.expect_title("Scan the QR code with your payment app")
    waiting = wait_until(lambda: [p for p in stack.sim.payments().values() if p["status"] == "CREATED"])
    stack.sim.expire(waiting[-1]["merchantPaymentId"])  # as if the minutes had run out
    await ui.expect_title("The payment was not made", timeout=20_000)
    assert "The time to pay ran out. Nothing was charged." in await ui.text()
    await ui.screenshot("expired")
    await ui.tap_id("pay-retry")  # try again: a new code
    await ui.expect_title("Scan the QR code with your payment app")


async def test_my_bookings_cancel_and_refund(ui: KioskUI, browser, stack: PayStack) -> None:
    mine = phone()
    await book_and_choose(ui, open_day(min_days=18), "0900", mine)
    await ui.tap_id("pay-qr")
    await ui.expect_title("Scan the QR code with your payment app")
    customer = await open_customer_page(browser, stack)
    await customer.locator("#pay").click()
    await ui.expect_title("Thank you. Payment received", timeout=20_000)
    await customer.context.close()
    code = next(i for i in (await ui.text()).split() if len(i) >= 6 and "-" in i)
    await ui.tap_id("finish")
    await ui.tap_id("lang-en")
    await ui.tap_id("task-my-bookings")
    await ui.expect_title("Find your booking")
    await ui.fill("Booking number", code)
    await ui.fill("Phone number", mine)
    await ui.tap_id("lookup")
    await ui.expect_title("Your booking")
    assert "Confirmed and paid" in await ui.text()
    await ui.screenshot("my-booking")
    await ui.tap_id("cancel-booking")
    await ui.expect_title("Cancel this booking?")
    await ui.tap_id("confirm-cancel")
    await ui.expect_title("Your booking is cancelled", timeout=20_000)
    assert "is being refunded to your payment app" in await ui.text()
    await ui.screenshot("cancelled")
    refunded = [p for p in stack.sim.payments().values() if p["status"] == "REFUNDED"]
    assert refunded, "the provider refunded nothing"
