"""Workshop practice mode in real headless Chromium: ``python -m kiosk practice`` as a
process (practice city, its own server and payment simulator on 127.0.0.1).

A learner books with the practice My Number card put on the reader from the band and
pays on the simulator's customer page, with the practice band on every screen; a
volunteer runs a room of 5 seats: sees each seat's step live, resets one, then all."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import httpx
import pytest
from playwright.async_api import expect

from kiosk.practice.process import PracticeProcess

from .ui import KioskUI
from .walk import enter_guest_details

DAY = "2026-11-27"  # a Friday: the practice hall is open (the city clock starts 2026-11-25)
LANGUAGE_TITLE = "言語を選んでください / Choose your language"
PIN = "1234"


@pytest.fixture(scope="module")
def practice(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PracticeProcess]:
    p = PracticeProcess(tmp_path_factory.mktemp("practice") / "data", seats=5)
    p.start()
    yield p
    p.stop()


def server_bookings(practice: PracticeProcess) -> list[tuple[str, str]]:
    """(code, status) of every booking on the practice server, read from its database."""
    db = sqlite3.connect(f"file:{practice.data_dir / 'server.sqlite'}?mode=ro", uri=True)
    try:
        return db.execute("SELECT code, status FROM bookings WHERE tenant = '129999'").fetchall()
    finally:
        db.close()


async def band_says(ui: KioskUI, *texts: str) -> None:
    band = ui.by_id("practice-band-label")
    for text in texts:
        await expect(band).to_contain_text(text)


async def type_pin(ui: KioskUI) -> None:
    for digit in PIN:
        await ui.tap_id(f"pin-key-{digit}")
    await ui.wait_for_text("●  ●  ●  ●")


async def to_identify(ui: KioskUI, slot: str, unit: str = "practice-hall", category: str = "hall") -> None:
    for step in ("lang-en", "task-book", f"category-{category}", f"unit-{unit}", f"day-{DAY}", slot):
        await ui.tap_id(step)
    await expect(ui.by_id("selection")).to_have_text("You chose 1 time(s).")
    await ui.tap_id("next")
    await ui.expect_title("How will you identify yourself?")


async def as_guest_to_confirm(ui: KioskUI, name: str, phone: str) -> None:
    await ui.tap_id("identify-guest")
    await ui.expect_title("What is your name?")
    await enter_guest_details(ui, name, phone)
    await ui.expect_title("Check your booking")


async def test_a_learner_books_with_the_practice_card_and_pays_on_the_practice_app(
        new_ui, browser, practice: PracticeProcess) -> None:
    ui = await new_ui(practice.seat_url(1))
    await ui.expect_title(LANGUAGE_TITLE)
    await band_says(ui, "練習 / Practice", "Seat 1", "これは練習です。")
    await ui.screenshot("language")
    await to_identify(ui, "slot-0900")
    await band_says(ui, "練習 / Practice", "This is practice.", "これは練習です。")
    await expect(ui.by_id("practice-pin")).to_have_text(f"Practice card PIN: {PIN}")
    await ui.tap_id("identify-card")
    await ui.expect_title("Put your My Number card on the reader")
    await ui.screenshot("insert-card")
    await ui.tap_id("practice-card")  # the band's button puts the practice card down
    await ui.expect_title("Enter your PIN")
    await expect(ui.by_id("practice-card")).to_contain_text("Take the practice card away")
    await type_pin(ui)
    await ui.tap_id("pin-ok")
    await ui.expect_title("May the kiosk read your details from the card?")
    await ui.tap_id("card-consent-agree")
    await ui.expect_title("Enter your PIN")
    await type_pin(ui)
    await ui.tap_id("pin-ok")
    await ui.expect_title("Check your booking")
    await ui.wait_for_text("練習 花子")
    await ui.wait_for_text("Resident rate (address on your My Number card)")
    await band_says(ui, "Practice")
    await ui.screenshot("confirm")
    await ui.tap_id("book")
    await ui.expect_title("How would you like to pay?", timeout=20_000)
    await ui.tap_id("pay-qr")
    await ui.expect_title("Scan the QR code with your payment app")
    await expect(ui.by_id("practice-pay-app")).to_contain_text("Open the practice payment app")
    await expect(ui.by_id("practice-pay-hint")).to_contain_text(practice.paysim_url)
    await ui.screenshot("paying")
    phone = await browser.new_context(viewport={"width": 420, "height": 860}, locale="ja-JP")
    customer = await phone.new_page()
    await customer.goto(practice.paysim_url + "/")
    await customer.locator("a.pay").last.click()
    await customer.locator("#pay").click()
    await expect(customer.locator("#status")).to_contain_text("Paid")
    await phone.close()
    await ui.expect_title("Thank you. Payment received", timeout=20_000)
    await band_says(ui, "練習 / Practice")
    await ui.screenshot("receipt")
    assert [status for _, status in server_bookings(practice)] == ["confirmed"]
    await ui.tap_id("finish")
    await ui.expect_title(LANGUAGE_TITLE)


async def seat_step(volunteer: KioskUI, n: int, text: str) -> None:
    await expect(volunteer.by_id(f"seat-{n}-step")).to_have_text(text, timeout=15_000)


async def test_a_workshop_of_five_seats_watched_and_reset(new_ui, practice: PracticeProcess) -> None:
    volunteer = await new_ui(practice.volunteer_url + "?lang=en")
    await volunteer.expect_title("Practice room: seats and steps")
    await volunteer.fill("Volunteer code", "0000")
    await volunteer.tap_id("volunteer-unlock")
    await volunteer.wait_for_text("That code is not correct.")
    await volunteer.fill("Volunteer code", practice.volunteer_code)
    await volunteer.tap_id("volunteer-unlock")
    await volunteer.wait_for_id("reset-all")

    earlier = dict(server_bookings(practice))  # e.g. seat 1's paid booking of the test before
    seats = [await new_ui(practice.seat_url(n)) for n in range(1, 6)]
    for n, seat in enumerate(seats, 1):
        await band_says(seat, f"Seat {n}")
    await seats[1].tap_id("lang-en")  # seat 2: the start screen
    await seats[1].expect_title("What would you like to do?")
    await seats[1].tap_id("call-staff")  # a learner rehearses calling staff: the practice server hears it
    await expect(seats[1].by_id("call-status")).to_be_attached()
    staff = httpx.Client(base_url=practice.server_url, timeout=10, headers={
        "Authorization": f"Bearer {(practice.data_dir / 'staff.token').read_text().strip()}"})
    calls = staff.get("/v1/staff/calls").json()
    assert [(c["kiosk"], c["screen"]) for c in calls] == [("demo-kiosk-1", "home")], calls
    staff.close()
    for step in ("lang-en", "task-book", "category-hall", "unit-practice-hall"):  # seat 3: the calendar
        await seats[2].tap_id(step)
    await seats[2].expect_title("Choose a day")
    await to_identify(seats[3], "slot-1300")  # seat 4: checking its booking
    await as_guest_to_confirm(seats[3], "Seat Four", "090-4444-4444")
    await to_identify(seats[4], "slot-1800", "practice-room", "meeting_room")  # seat 5: booked, paying
    await as_guest_to_confirm(seats[4], "Seat Five", "090-5555-5555")
    await seats[4].tap_id("book")
    await seats[4].expect_title("How would you like to pay?", timeout=20_000)

    expected = ["Step 1 of 8: Choosing a language", "Step 2 of 8: Start screen",
                "Step 4 of 8: Choosing a day and time", "Step 6 of 8: Checking the booking",
                "Step 7 of 8: Paying"]
    for n, text in enumerate(expected, 1):
        await seat_step(volunteer, n, text)
    await volunteer.screenshot("room-five-seats")
    [seat5_booking] = [code for code, _ in server_bookings(practice) if code not in earlier]

    # Reset one: seat 5 starts afresh, its booking is gone; the others stay where they are.
    await volunteer.tap_id("reset-seat-5")
    await seats[4].expect_title(LANGUAGE_TITLE)
    await seat_step(volunteer, 5, expected[0])
    await volunteer.wait_for_text("1 seat(s) back at the start, 1 practice booking(s) removed.")
    after_one = dict(server_bookings(practice))
    assert after_one[seat5_booking] == "cancelled"
    assert all(after_one[code] == status for code, status in earlier.items())  # seat 1 was not reset
    assert "Seat Five" not in await seats[4].page_leftovers()
    await seat_step(volunteer, 4, expected[3])
    await seats[3].expect_title("Check your booking")

    # Seat 4 books; then reset all at once: every seat at the start, no practice booking left.
    await seats[3].tap_id("book")
    await seats[3].expect_title("How would you like to pay?", timeout=20_000)
    await seat_step(volunteer, 4, expected[4])
    assert list(dict(server_bookings(practice)).values()).count("confirmed") == 1 + list(earlier.values()).count("confirmed")
    await volunteer.tap_id("reset-all")
    for seat in seats:
        await seat.expect_title(LANGUAGE_TITLE)
    for n in range(1, 6):
        await seat_step(volunteer, n, expected[0])
    removed = 1 + list(earlier.values()).count("confirmed")
    await volunteer.wait_for_text(f"5 seat(s) back at the start, {removed} practice booking(s) removed.")
    statuses = dict(server_bookings(practice))
    assert statuses and set(statuses.values()) == {"cancelled"}, statuses
    assert "Seat Four" not in await seats[3].page_leftovers()
    await volunteer.screenshot("room-reset")
    await seats[3].screenshot("seat-4-after-reset")

    # The room can rehearse again: the same time can be booked once more.
    await to_identify(seats[3], "slot-1300")
    await as_guest_to_confirm(seats[3], "Seat Four", "090-4444-4444")
    await seats[3].tap_id("book")
    await seats[3].expect_title("How would you like to pay?", timeout=20_000)
