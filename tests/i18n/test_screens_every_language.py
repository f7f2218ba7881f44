"""Every screen of a booking in every language (staged ones offered as registering would):
no English message left on a non-English screen, fee lines and block names from the
catalogs, data texts from the city data, the Japanese block name kept for staff."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

import pytest

from kiosk.cache import Cache
from kiosk.domain.model import Residency
from kiosk.flow import FixedClock, KioskFlow
from kiosk.flow.viewmodels import Action, Chrome
from kiosk.i18n import ALL_LANGUAGES
from kiosk.opendata import load_city, sample_city_dir
from kiosk.tools import _catalogs as C
from kiosk.tools.check_glossary import Glossary

CODES = [lang.code for lang in ALL_LANGUAGES]


@pytest.fixture(scope="module")
def city():
    return load_city(sample_city_dir())


@pytest.fixture
def flow(tmp_path, city):
    cache = Cache.open(tmp_path / "kiosk.sqlite")
    cache.load_city(city)
    yield KioskFlow(cache, FixedClock(datetime(2026, 11, 25, 10, 0)))
    cache.close()


def visible_texts(model) -> list[str]:
    """Every string a screen shows (or says to a screen reader)."""
    out: list[str] = []
    if isinstance(model, str):
        return [model] if model.strip() else []
    if isinstance(model, (tuple, list)):
        for item in model:
            out += visible_texts(item)
        return out
    if dataclasses.is_dataclass(model):
        for f in dataclasses.fields(model):
            if f.name in ("id", "language", "state", "code", "qr_png", "run", "submit", "edit"):
                continue
            if isinstance(model, Chrome) and f.name == "title" and model.state.value == "language":
                continue  # the language screen speaks every language at once
            out += visible_texts(getattr(model, f.name))
    return out


def walk_booking(flow, code: str):
    """Every screen from choosing the language to the done screen."""
    screens = [flow.screen()]
    flow.select_language(code)
    screens.append(flow.screen())
    flow.select_task()
    flow.select_category("hall")
    screens.append(flow.screen())
    flow.select_unit("chuo-hall")
    screens.append(flow.screen())
    flow.select_day(date(2026, 11, 28))
    screens.append(flow.screen())
    screens[-1].slots[0].run()
    screens.append(flow.screen())
    flow.select_slots()
    screens.append(flow.screen())
    flow.select_identify_method("guest")
    screens.append(flow.screen())
    flow.select_guest_details("Nguyen Van An", "090-1234-5678", Residency.RESIDENT)
    flow.toggle_surcharge("piano")
    flow.select_exemption("senior_club")
    confirm = flow.screen()
    screens.append(confirm)
    flow.select_book()
    screens.append(flow.screen())
    return screens, confirm


@pytest.mark.parametrize("code", CODES)
def test_a_booking_speaks_the_language_on_every_screen(every_language, flow, code):
    screens, confirm = walk_booking(flow, code)
    texts = [t for s in screens for t in visible_texts(s)]
    assert texts
    if code != "en":
        glossary = Glossary.load()
        english = {m.id for m in C.read_catalog(C.TEMPLATE) if isinstance(m.id, str)}
        leftovers = {t for t in texts if t in english and not glossary.is_allowed_copy(t)
                     and t not in glossary.same_words.get(code, ())}
        assert not leftovers, leftovers
    t = flow.t
    fee_labels = [row.label for row in confirm.fee_rows]
    assert fee_labels[0] == t("Usage fee ({name})", name=t("Morning") if code != "ja" else "午前")
    assert any(label == t("Fee reduction ({name} {percent}%)",
                          name=flow.cache.city().exemptions["senior_club"].names.get(code) or
                          flow.cache.city().exemptions["senior_club"].names["ja"], percent=50)
               for label in fee_labels)


@pytest.mark.parametrize("code", CODES)
def test_blocks_keep_their_japanese_name_for_staff(every_language, flow, code):
    flow.select_language(code)
    flow.select_task()
    flow.select_category("hall")
    flow.select_unit("chuo-hall")
    flow.select_day(date(2026, 11, 28))
    slots = flow.screen().slots
    staff = [a.staff_label for a in slots]
    if code == "ja":
        assert staff == ["", "", ""]
    else:
        assert staff == ["午前", "午後", "夜間"]
        assert slots[0].label.startswith(flow.t("Morning"))


def test_hourly_courts_have_no_staff_block_name(every_language, flow):
    flow.select_language("vi")
    flow.select_task()
    flow.select_category("tennis_court")
    flow.select_unit("tennis-a")
    flow.select_day(date(2026, 11, 28))
    assert {a.staff_label for a in flow.screen().slots} == {""}


def test_the_unit_notes_show_translated_on_the_confirm_screen(every_language, flow):
    flow.select_language("ne")
    flow.select_task()
    flow.select_category("meeting_room")
    flow.select_unit("library-study")
    flow.select_day(date(2026, 11, 28))
    flow.screen().slots[0].run()
    flow.select_slots()
    flow.select_identify_method("guest")
    flow.select_guest_details("Sita", "090-1234-5678", Residency.NON_RESIDENT)
    summary = dict(flow.screen().summary)
    assert summary[flow.t("Good to know")] == "खानपान निषेध।"
    assert flow.t("Accessibility") not in summary  # the unit has no barrier-free note
