from __future__ import annotations

import pytest

from kiosk.tools import compile_catalogs


@pytest.fixture(scope="session", autouse=True)
def catalogs():
    compile_catalogs.main([])


@pytest.fixture
def every_language(monkeypatch):
    """Offer every language with a catalog, staged ones too (as registering them would)."""
    import kiosk.flow.flow
    import kiosk.i18n

    monkeypatch.setattr(kiosk.i18n, "LANGUAGES_BY_CODE", kiosk.i18n.ALL_LANGUAGES_BY_CODE)
    monkeypatch.setattr(kiosk.flow.flow, "LANGUAGES_BY_CODE", kiosk.i18n.ALL_LANGUAGES_BY_CODE)
    return kiosk.i18n.ALL_LANGUAGES
