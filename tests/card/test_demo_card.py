"""The demo's virtual card companion, and the rule that a kiosk image never gets it."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest

from kiosk.app import KioskConfig
from kiosk.card.trust import TRUST_ENV, load_trust_anchors
from kiosk.card.virtual import virtual_ca
from kiosk.card.virtual.demo import virtual_card
from kiosk.demo import COMPANIONS, central_server

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.timeout(120)


@pytest.mark.pcsc
def test_the_demo_card_waits_out_of_the_reader_and_the_kiosk_and_server_trust_it(pcsc_daemon, tmp_path, monkeypatch):
    monkeypatch.delenv(TRUST_ENV, raising=False)
    config = KioskConfig(data_dir=tmp_path)
    config, companion = virtual_card(config, daemon=pcsc_daemon, control_port=0)
    assert companion is not None
    try:
        assert config.card_reader in pcsc_daemon.readers.values()
        # the kiosk (config) and the server about to start (environment) trust the test CA
        _, ca = virtual_ca()
        assert load_trust_anchors(config.jpki_trust) == [ca]
        assert load_trust_anchors(os.environ[TRUST_ENV]) == [ca]
        assert "窓口 花子" in companion.name and "1234" in companion.name
        page = httpx.get(companion.url)
        assert page.status_code == 200 and "練習用マイナンバーカード" in page.text
        state = httpx.get(companion.url + "state").json()
        assert state["inserted"] is False  # the newcomer puts it down
        assert httpx.post(companion.url + "insert").json()["inserted"] is True
    finally:
        companion.stop()


def test_the_card_companion_runs_before_the_server_and_only_in_the_demo():
    names = [getattr(c, "__name__", "") for c in COMPANIONS]
    assert names.index("_virtual_card") < COMPANIONS.index(central_server)
    config, companion = virtual_card(KioskConfig(card_reader="off"))
    assert companion is None and config.card_reader == "off"
    config, companion = virtual_card(KioskConfig(card_reader="ACS ACR39U"))  # a real reader
    assert companion is None and config.card_reader == "ACS ACR39U"


def test_a_kiosk_image_never_gets_the_virtual_reader():
    for path in (REPO / "packaging").rglob("*"):
        if path.is_file():
            text = path.read_text(errors="replace")
            for banned in ("vsmartcard", "vpcd", "kiosk.card.virtual", "kiosk demo"):
                assert banned not in text, f"{path.name} mentions {banned}"
