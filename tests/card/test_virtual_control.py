"""The virtual card's control port and page (demos and workshops)."""

from __future__ import annotations

import httpx
import pytest

from kiosk.card.virtual import VirtualIdentity, VirtualMyNumberCard, VpcdLink
from kiosk.card.virtual.control import ControlServer

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def control():
    """A control server over a card that is not in any reader."""
    ident = VirtualIdentity(card_id="control-test", name="<b>Tanaka</b> & 田中", auth_pin="4826", card_info_pin="7351")
    server = ControlServer(VpcdLink(VirtualMyNumberCard(ident), port=1)).start()
    yield server
    server.stop()


def test_the_page_shows_the_card_and_its_pins_escaped(control):
    r = httpx.get(control.url + "/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = r.text
    assert "&lt;b&gt;Tanaka&lt;/b&gt; &amp; 田中" in page and "<b>Tanaka</b>" not in page
    assert "4826" in page and "7351" in page  # a practice card: its PINs are no secret
    for button in ('id="insert"', 'id="remove"', 'id="reset"'):
        assert button in page


def test_reset_tries_and_unknown_requests(control):
    http = httpx.Client(base_url=control.url)
    http.post("/tries", params={"pin": "auth", "n": 1})
    http.post("/tries", params={"pin": "card_info", "n": 0})
    assert http.get("/state").json()["tries"] == {"card_info": 0, "auth": 1}
    assert http.post("/reset-tries").json()["tries"] == {"card_info": 3, "auth": 3}
    assert http.post("/tries", params={"pin": "number"}).status_code == 400
    assert http.get("/nothing").status_code == 404


@pytest.mark.pcsc
def test_insert_and_remove_from_the_control_port_through_pcscd(vcard):
    assert vcard.state()["inserted"] is True
    vcard.remove()
    assert vcard.state()["inserted"] is False
    assert httpx.post(vcard.control + "/insert").json()["inserted"] is True
