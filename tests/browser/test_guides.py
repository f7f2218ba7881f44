"""The printable practice guides (``python -m kiosk.tools.guides``) made from the real
screens of a practice kiosk in real headless Chromium: one A4 page per language, with
the 8 screenshots in it, for two languages (all 15: docs/practice.md)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.flow import messages as M
from kiosk.i18n import Translator
from kiosk.practice import messages as PM
from kiosk.practice.process import PracticeProcess
from kiosk.tools.guides import STEPS, guide_html, make_guides, pdf_pages


@pytest.fixture(scope="module")
def practice(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PracticeProcess]:
    p = PracticeProcess(tmp_path_factory.mktemp("guides") / "data", seats=2)
    p.start()
    yield p
    p.stop()


def test_the_guide_page_names_every_step_in_its_language():
    page = guide_html("ko", [f"{i}.jpg" for i in range(1, 9)], "1234")
    t = Translator("ko")
    assert t(PM.GUIDE_TITLE) in page and t(PM.GUIDE_INTRO, pin="1234") in page
    assert page.count("<img ") == len(STEPS) == 8
    assert html.escape(t(PM.GUIDE_STEP_HOME, button=t(M.TASK_BOOK))) in page and t(PM.GUIDE_STEP_LANGUAGE) in page
    assert "size: A4" in page


async def test_guides_for_two_languages_are_one_page_each_with_the_screens(browser, practice, artifacts):
    out = artifacts.path("guides", "")
    guides = await make_guides(["vi", "ja-easy"], out, practice=practice, browser=browser, log=lambda _: None)
    assert [g.code for g in guides] == ["vi", "ja-easy"]
    for guide in guides:
        assert guide.pages == 1 and guide.fits and guide.tofu == 0, guide
        assert [p.name.split("-", 1)[1] for p in guide.images] == [f"{name}.jpg" for name, _ in STEPS]
        for image in guide.images:
            data = image.read_bytes()
            assert data[:2] == b"\xff\xd8" and len(data) > 20_000, image  # a real screen, not a blank
        page = guide.html.read_text(encoding="utf-8")
        assert re.findall(r'<img src="([^"]+)"', page) == [p.name for p in guide.images]
        assert Translator(guide.code)(PM.GUIDE_TITLE) in page
        pdf = guide.pdf.read_bytes()
        assert pdf.startswith(b"%PDF") and pdf_pages(pdf) == 1
        assert len(re.findall(rb"/Subtype\s*/Image", pdf)) >= len(STEPS)
    assert sorted(p.name for p in Path(out).iterdir()) == ["ja_easy", "vi"]
