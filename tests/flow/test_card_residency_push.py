"""A card holder's booking carries what the server needs to decide residency itself, and
the server's decision wins over whatever the kiosk claims.

The kiosk flow with the virtual card in process, a real central server process on
loopback HTTP (its clock started at the flow's fixed time), the kiosk's real sync
engine pushing the outbox.
"""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from kiosk.card.identity_client import IdentityClient, TrustCache
from kiosk.card.trust import TRUST_ENV
from kiosk.card.virtual import LocalCardService, VirtualMyNumberCard, virtual_ca
from kiosk.card.virtual.identity import CardKeys, issue_auth_certificate
from kiosk.domain.model import Residency
from kiosk.flow.states import State
from kiosk.opendata import sample_city_dir
from sync.client import SyncEngine
from sync.server.clock import CLOCK_START_ENV
from sync.server.db import Database
from sync.server.migrations import migrate
from sync.server.process import ServerProcess
from sync.server.tenants import add_tenant, enrol

from test_card_identify import CARD, NOW, choose_card, enter_pin, make_flow, to_identify, until


@pytest.fixture
def central(tmp_path):
    _, ca = virtual_ca()
    (tmp_path / "trust.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    url = f"sqlite:///{tmp_path / 'server.sqlite'}"
    db = Database(url)
    migrate(db)
    add_tenant(db, "midori", sample_city_dir())
    token = enrol(db, "midori", "kiosk-1")
    db.close()
    proc = ServerProcess(url, log_path=tmp_path / "server.log",
                         env={TRUST_ENV: str(tmp_path / "trust.pem"), CLOCK_START_ENV: NOW.isoformat()}).start()
    yield proc, token, url
    proc.close()


def server_row(url: str, booking_id: str) -> dict:
    db = Database(url)
    try:
        with db.read() as c:
            return dict(c.one("SELECT residency, residency_claimed, identity_check, total_yen FROM bookings"
                              " WHERE id = ?", (booking_id,)))
    finally:
        db.close()


def push(cache, proc, token) -> None:
    engine = SyncEngine(cache, proc.url, token)
    try:
        engine.sync_clock()
        [outcome] = engine.push()
        assert outcome.accepted, outcome
    finally:
        engine.close()


async def through_the_card(flow) -> None:
    to_identify(flow)
    choose_card(flow)
    await enter_pin(flow)
    await until(flow, State.CARD_CONSENT)
    flow.screen().agree.run()
    await enter_pin(flow)
    await until(flow, State.CONFIRM)


async def test_a_kiosk_claiming_resident_for_a_non_resident_card_holder_gets_the_server_s_rate(
        cache, clock, central):
    proc, token, url = central
    card = VirtualMyNumberCard(CARD.with_(card_id="push-elsewhere", address="東京都千代田区丸の内1-1"))
    flow = make_flow(cache, clock, LocalCardService(card, inserted=True), IdentityClient(proc.url, token))
    await through_the_card(flow)
    assert flow._draft().residency is Residency.NON_RESIDENT
    honest = flow.bookings.quote(flow._draft()).total_yen
    flow.session.guest.residency = Residency.RESIDENT  # a kiosk that lies (or a bug)
    assert flow._draft().identity == {"challenge_id": flow.session.card.challenge_id}
    flow.select_book()
    booking = flow.session.booking
    assert booking.total_yen != honest  # the kiosk quoted the resident rate
    push(cache, proc, token)
    row = server_row(url, booking.id)
    assert (row["residency"], row["residency_claimed"], row["identity_check"]) == ("non_resident", "resident", "server")
    assert row["total_yen"] == honest


async def test_a_card_verified_offline_is_verified_again_when_the_booking_arrives(cache, clock, central, tmp_path):
    proc, token, url = central
    ca_key, ca_cert = virtual_ca()
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = issue_auth_certificate(key, ca_key, ca_cert, "push-offline", NOW - dt.timedelta(days=30),
                                  NOW + dt.timedelta(days=300))
    card = VirtualMyNumberCard(CARD.with_(card_id="push-offline"), CardKeys(ca_cert, key, cert))
    (tmp_path / "trust-cache.pem").write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    dead = IdentityClient("http://127.0.0.1:9", "token", timeout=0.5)  # the server unreachable
    flow = make_flow(cache, clock, LocalCardService(card, inserted=True), dead, TrustCache(tmp_path / "trust-cache.pem"))
    await through_the_card(flow)
    holder = flow.session.card
    assert holder.verified_offline and holder.offline_proof["address"] == CARD.address
    flow.select_book()
    booking = flow.session.booking
    [entry] = cache.outbox_pending()
    assert entry.payload["identity"]["verified_offline"] is True

    push(cache, proc, token)  # the network is back
    row = server_row(url, booking.id)
    assert (row["residency"], row["identity_check"]) == ("resident", "offline")
    assert row["total_yen"] == booking.total_yen
    # once pushed and past the retention time, the outbox keeps nothing of the card
    cache.purge_personal_data(NOW + dt.timedelta(days=365))
    assert CARD.address not in repr(cache.outbox_entry(entry.mutation_id))
