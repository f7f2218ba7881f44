"""The harness itself: a kiosk process answers, Chromium drives it, artifacts land."""

from __future__ import annotations

from kiosk.i18n import LANGUAGES

from .server import free_port
from .ui import Artifacts


def test_free_port_is_bindable_on_loopback():
    import socket

    port = free_port()
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))


async def test_language_screen_then_home_by_tapping(ui, artifacts: Artifacts):
    await ui.expect_title("言語を選んでください / Choose your language")
    buttons = await ui.buttons()
    names = [b.name for b in buttons if b.identifier.startswith("lang-")]
    assert await ui.by_id("display-settings").count() == 1  # text size and colours
    assert names == [lang.native_name for lang in LANGUAGES]  # each named in itself, 15
    assert sorted(b.identifier for b in buttons if not b.identifier.startswith("lang-")) == [
        "call-staff", "display-settings"]

    await ui.tap("English")
    await ui.expect_title("What would you like to do?")
    shot = await ui.screenshot("home")
    assert shot == artifacts.dir / "01-home.png"
    assert shot.read_bytes().startswith(b"\x89PNG")
    assert "If you need help, please call a staff member." in await ui.text()


async def test_start_kiosk_with_extra_env_and_own_viewport(start_kiosk, new_ui):
    # Its own kiosk whose city clock starts in March 2027: the calendar opens there.
    server = start_kiosk({"MADOGUCHI_CLOCK_START": "2027-03-10T09:00"})
    ui = await new_ui(server.url, viewport={"width": 1920, "height": 1080})
    assert await ui.page.evaluate("window.innerWidth") == 1920
    for step in ("lang-en", "task-book", "category-hall", "unit-chuo-hall"):
        await ui.tap_id(step)
    await ui.expect_title("Choose a day")
    assert (await ui.by_id("month").inner_text()).strip() == "March 2027"
