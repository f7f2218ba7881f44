"""Walk the booking flow by stable action ids, in any language (for layout checks).

    async for name in walk_booking(ui, lang="en", category="tennis_court",
                                   unit="tennis-a", day="2026-11-28", slots=["slot-0900"]):
        ...  # called on each screen once it is showing, named by its state

The last screens depend on the kiosk: offline, "done" (a provisional booking); online
with a fee, "pay_choice" then "counter" (paid at the counter).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence

from playwright.async_api import expect

from .ui import KioskUI

GUEST_NAME = "Yamada Hanako"
GUEST_PHONE = "0312345678"


async def _on(ui: KioskUI, identifier: str) -> None:
    await ui.wait_for_id(identifier)


async def set_display(ui: KioskUI, text_size: str = "xl", contrast: str | None = None) -> None:
    """Open the text size and colours panel, choose, close it (on any screen)."""
    await ui.tap_id("display-settings")
    await _on(ui, "display-panel")
    # A tap on the chosen one would redraw nothing to wait for: the next tap could land
    # while the panel is being redrawn. Tap only what changes.
    if "✓" not in await ui.by_id(f"text-size-{text_size}").inner_text():
        await ui.tap_id(f"text-size-{text_size}")
        await expect(ui.by_id(f"text-size-{text_size}")).to_contain_text("✓")
    if contrast is not None and "✓" not in await ui.by_id(f"contrast-{contrast}").inner_text():
        await ui.tap_id(f"contrast-{contrast}")
        await expect(ui.by_id(f"contrast-{contrast}")).to_contain_text("✓")


async def close_display(ui: KioskUI) -> None:
    await ui.tap_id("display-close")
    await expect(ui.by_id("display-panel")).to_have_count(0)


async def enter_guest_details(ui: KioskUI, name: str = GUEST_NAME, phone: str = GUEST_PHONE,
                              resident: bool = True) -> None:
    """From the guest's name screen to the booking check, one question per screen:
    name, next, phone, next, then yes or no (which goes on by itself)."""
    await _on(ui, "field-name")
    await ui.fill(ui.page.get_by_role("textbox"), name)
    await ui.tap_id("next")
    await _on(ui, "field-phone")
    await ui.fill(ui.page.get_by_role("textbox"), phone)
    await ui.tap_id("next")
    answer = "resident-yes" if resident else "resident-no"
    await _on(ui, answer)
    await ui.tap_id(answer)
    await _on(ui, "book")


async def walk_booking(ui: KioskUI, *, lang: str, category: str, unit: str, day: str,
                       slots: Sequence[str], name: str = GUEST_NAME, book: bool = True,
                       phone: str = GUEST_PHONE,
                       pay: Callable[[], Awaitable[None]] | None = None) -> AsyncIterator[str]:
    """Yield each screen's name once it shows; the caller measures or screenshots it.
    With ``pay`` (a coroutine that pays on the payment simulator's customer page), a fee
    is paid by app: "pay_choice", "paying", then "receipt"."""
    await _on(ui, f"lang-{lang}")
    yield "language"
    await ui.tap_id(f"lang-{lang}")
    await _on(ui, "task-book")
    yield "home"
    await ui.tap_id("task-book")
    await _on(ui, f"category-{category}")
    yield "category"
    await ui.tap_id(f"category-{category}")
    await _on(ui, f"unit-{unit}")
    yield "unit"
    await ui.tap_id(f"unit-{unit}")
    await _on(ui, f"day-{day}")
    yield "calendar"
    await ui.tap_id(f"day-{day}")
    await _on(ui, slots[0])
    for slot in slots:
        await ui.tap_id(slot)
        await expect(ui.by_id(slot)).to_contain_text("✓")
    yield "time_blocks"
    await ui.tap_id("next")
    await _on(ui, "identify-guest")
    yield "identify"
    await ui.tap_id("identify-guest")
    await _on(ui, "field-name")
    await ui.tap_id("next")  # nothing typed: the notice shows
    ui.taps -= 1  # the walk's own tap, to see the notice: not one a person needs
    await _on(ui, "notices")
    yield "guest_name"
    await ui.fill(ui.page.get_by_role("textbox"), name)
    await ui.tap_id("next")
    await _on(ui, "field-phone")
    yield "guest_phone"
    await ui.fill(ui.page.get_by_role("textbox"), phone)
    await ui.tap_id("next")
    await _on(ui, "resident-yes")
    yield "guest_residency"
    await ui.tap_id("resident-yes")  # the answer goes on to the booking check
    await _on(ui, "book")
    yield "confirm"
    if book:
        await ui.tap_id("book")
        # Online with a fee to pay: the payment choice first (issue 6), paid at the counter.
        await ui.by_id("booking-code").or_(ui.by_id("pay-counter")).first.wait_for()
        if await ui.by_id("pay-counter").count() and pay is not None:
            yield "pay_choice"
            await ui.tap_id("pay-qr")
            await ui.wait_for_id("payment-qr")
            await ui.wait_for_id("countdown")
            yield "paying"
            await pay()
            await ui.wait_for_id("paid", timeout=30_000)
            yield "receipt"
        elif await ui.by_id("pay-counter").count():
            yield "pay_choice"
            await ui.tap_id("pay-counter")
            await ui.wait_for_id("pay-deadline")
            yield "counter"
        else:
            yield "done"


# The controls the footer can hold (the screen's main action included): the footer
# starts at the highest of them in the lower two thirds of the screen.
FOOTER_IDS = ("back", "start_over", "display-settings", "call-staff", "call-cancel", "helper-view",
              "next", "book", "finish")
FOOTER_RULE = 18  # px: the rule above the footer and its spacing


async def footer_share(ui: KioskUI) -> float:
    """How much of the screen's height the footer takes (0..1), as drawn now."""
    height = ui.page.viewport_size["height"]
    tops = []
    for ident in FOOTER_IDS:
        nodes = ui.by_id(ident)
        for i in range(await nodes.count()):
            box = await nodes.nth(i).bounding_box()
            if box and box["height"] and box["y"] > height / 3:
                tops.append(box["y"])
    return (height - min(tops) + FOOTER_RULE) / height if tops else 0.0
