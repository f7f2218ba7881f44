"""The server decides a card holder's residency itself (sync/server/card_check.py), over
loopback HTTP on a real server process, on SQLite and PostgreSQL.

A kiosk that claims "resident" for a card holder the server knows as a non-resident, or
cannot verify, gets the non-resident rate and the non-resident advance-booking window
(residents 90 days ahead, non-residents 60, in the sample city).
"""

from __future__ import annotations

import base64
import os
from datetime import datetime, time, timedelta

import pytest

from kiosk.card.virtual import VirtualIdentity, VirtualMyNumberCard
from kiosk.domain.fees import quote
from kiosk.domain.model import Residency, Slot
from kiosk.opendata import load_city, sample_city_dir
from sync.server.clock import server_now
from sync.server.db import Database

from .conftest import book_mutation, open_day
from .test_identity_api import ELSEWHERE, IN_CITY, card_signature, new_challenge, server, trust_dir, verify  # noqa: F401

UNIT = "chuo-hall"


def _card(name: str) -> VirtualMyNumberCard:
    return VirtualMyNumberCard(VirtualIdentity(card_id=f"residency-{name}"))


def registered(k, card: VirtualMyNumberCard, address: str) -> tuple[str, str]:
    """(person key, id of the challenge just verified) of a registered card holder."""
    challenge_id, challenge = new_challenge(k)
    r = verify(k, challenge_id, *card_signature(challenge, card))
    assert r.status_code == 200, r.text
    who = r.json()
    if who["registration_token"]:
        r = k.post("/v1/identity/register", json={"registration_token": who["registration_token"],
                                                  "consent": True, "name": "窓口 花子", "address": address})
        assert r.status_code == 201, r.text
    return who["person_key"], challenge_id


def expected_total(residency: Residency, day, block: str = "morning") -> int:
    city = load_city(sample_city_dir())
    unit = next(u for u in city.units if u.id == UNIT)
    hours = {"morning": (9, 12), "afternoon": (13, 17), "evening": (18, 21)}[block]
    start = datetime.combine(day, time(hours[0]))
    return quote(unit, (Slot(start, start.replace(hour=hours[1]), block),), residency, (), None).total_yen


def push(k, mutation: dict) -> dict:
    r = k.post("/v1/mutations", json={"mutations": [mutation]})
    assert r.status_code == 200, r.text
    return r.json()["results"][0]


def booking(bid: str, day, person: str, identity: dict | None = None, **kw) -> dict:
    m = book_mutation(bid, UNIT, day, person=person, **kw)
    m["booking"]["residency"] = "resident"  # what the kiosk claims, every time
    if identity is not None:
        m["booking"]["identity"] = identity
    return m


def stored(db_url: str, booking_id: str) -> dict:
    db = Database(db_url)
    try:
        with db.read() as c:
            return dict(c.one("SELECT residency, residency_claimed, identity_check, total_yen, request"
                              " FROM bookings WHERE id = ?", (booking_id,)))
    finally:
        db.close()


def test_a_registered_non_resident_gets_the_non_resident_rate_and_window(server):
    srv = server()
    k = srv.kiosk()
    key, challenge_id = registered(k, _card("elsewhere"), ELSEWHERE)
    near, far = open_day(min_days=10), open_day(min_days=75)  # far: inside 90 days, beyond 60
    r = push(k, booking("nr-near", near, key, {"challenge_id": challenge_id}))
    assert r["outcome"] == "applied", r
    assert r["total_yen"] == expected_total(Residency.NON_RESIDENT, near) != expected_total(Residency.RESIDENT, near)
    row = stored(srv.db_url, "nr-near")
    assert (row["residency"], row["residency_claimed"], row["identity_check"]) == ("non_resident", "resident", "server")
    r = push(k, booking("nr-far", far, key, {"challenge_id": challenge_id}, contact={"name": "x"}))
    assert r["outcome"] == "rejected" and [v["code"] for v in r["violations"]] == ["window_not_open"]


def test_a_registered_resident_gets_the_resident_rate_and_window(server):
    srv = server()
    k = srv.kiosk()
    key, challenge_id = registered(k, _card("resident"), IN_CITY)
    far = open_day(min_days=75)
    r = push(k, booking("res-far", far, key, {"challenge_id": challenge_id}))
    assert r["outcome"] == "applied", r
    assert r["total_yen"] == expected_total(Residency.RESIDENT, far)
    assert stored(srv.db_url, "res-far")["identity_check"] == "server"


def test_a_card_holder_key_without_a_valid_verification_is_a_non_resident(server):
    srv = server()
    k1, k2 = srv.kiosk("kiosk-1"), srv.kiosk("kiosk-2")
    key, challenge_id = registered(k1, _card("claims"), IN_CITY)  # a resident, registered
    day = open_day(min_days=10)
    attempts = {
        "no-proof": None,  # the key alone is a claim anyone could copy
        "unknown-challenge": {"challenge_id": "0" * 32},
        "other-kiosk": {"challenge_id": challenge_id},  # kiosk-2 cites kiosk-1's verification
    }
    for bid, identity in attempts.items():
        client = k2 if bid == "other-kiosk" else k1
        r = push(client, booking(bid, day, key, identity, mutation_id=bid))
        assert r["outcome"] == "applied", (bid, r)
        assert r["total_yen"] == expected_total(Residency.NON_RESIDENT, day), bid
        row = stored(srv.db_url, bid)
        assert (row["residency"], row["identity_check"]) == ("non_resident", "unverified"), bid
        push(client, {"mutation_id": f"cancel-{bid}", "kind": "cancel", "booking_id": bid})
    # another person's verification does not lend its residency either
    other_key, other_challenge = registered(k1, _card("lender"), IN_CITY)
    r = push(k1, booking("borrowed", day, key, {"challenge_id": other_challenge}))
    assert r["total_yen"] == expected_total(Residency.NON_RESIDENT, day)


def test_a_verification_is_good_for_one_session_not_for_ever(server):
    srv = server()
    k = srv.kiosk()
    key, challenge_id = registered(k, _card("ticket"), IN_CITY)
    day = open_day(min_days=10)
    db = Database(srv.db_url)
    try:
        with db.write() as c:  # the verification happened 31 minutes ago
            c.execute("UPDATE identity_challenges SET used_at = ? WHERE id = ?",
                      (server_now() - timedelta(minutes=31), challenge_id))
    finally:
        db.close()
    r = push(k, booking("old-ticket", day, key, {"challenge_id": challenge_id}))
    assert r["total_yen"] == expected_total(Residency.NON_RESIDENT, day)
    assert stored(srv.db_url, "old-ticket")["identity_check"] == "unverified"


def offline_proof(card: VirtualMyNumberCard, address: str | None, signed_at=None) -> tuple[str, dict]:
    """What a kiosk that verified the card offline sends: its own challenge, signed."""
    from kiosk.card.jpki_verify import load_certificate, person_key

    challenge = os.urandom(32)
    cert, signature = card_signature(challenge, card)
    proof = {"verified_offline": True, "certificate": base64.b64encode(cert).decode(),
             "challenge": base64.b64encode(challenge).decode(),
             "signature": base64.b64encode(signature).decode(),
             "signed_at": (signed_at or server_now()).isoformat(timespec="seconds")}
    if address is not None:
        proof["address"] = address
    return person_key(load_certificate(cert)), proof


def test_an_identity_verified_offline_is_verified_again_on_the_server(server):
    srv = server()
    k = srv.kiosk()
    day = open_day(min_days=10)
    # not registered: the card's address (read with consent) decides, by the city's rule
    key, proof = offline_proof(_card("offline-in"), IN_CITY)
    r = push(k, booking("off-in", day, key, proof, provisional=True))
    assert r["outcome"] == "applied" and r["total_yen"] == expected_total(Residency.RESIDENT, day)
    row = stored(srv.db_url, "off-in")
    assert (row["residency"], row["identity_check"]) == ("resident", "offline")
    assert IN_CITY not in row["request"] and proof["certificate"][:40] not in row["request"]  # checked, not kept

    key, proof = offline_proof(_card("offline-out"), ELSEWHERE)
    r = push(k, booking("off-out", day, key, proof, provisional=True, block="afternoon"))
    assert r["total_yen"] == expected_total(Residency.NON_RESIDENT, day, "afternoon")

    # a signature that does not verify, another card's proof, a stale one: non-resident
    key, proof = offline_proof(_card("offline-bad"), IN_CITY)
    bad_sig = dict(proof, signature=base64.b64encode(b"\x00" * 256).decode())
    other_key, other_proof = offline_proof(_card("offline-other"), IN_CITY)
    stale = offline_proof(_card("offline-bad"), IN_CITY, signed_at=server_now() - timedelta(days=15))[1]
    for bid, identity in (("off-badsig", bad_sig), ("off-other", other_proof), ("off-stale", stale)):
        r = push(k, booking(bid, day, key, identity, provisional=True, block="evening", mutation_id=bid))
        assert r["outcome"] == "applied", (bid, r)
        row = stored(srv.db_url, bid)
        assert (row["residency"], row["identity_check"]) == ("non_resident", "offline_refused"), bid
        push(k, {"mutation_id": f"cancel-{bid}", "kind": "cancel", "booking_id": bid})


def test_a_registered_holder_verified_offline_keeps_the_registry_residency(server):
    srv = server()
    k = srv.kiosk()
    card = _card("reg-offline")
    key, _ = registered(k, card, ELSEWHERE)
    day = open_day(min_days=10)
    _, proof = offline_proof(card, IN_CITY)  # the kiosk's address claim loses to the registry
    r = push(k, booking("reg-off", day, key, proof, provisional=True))
    assert r["total_yen"] == expected_total(Residency.NON_RESIDENT, day)
    assert stored(srv.db_url, "reg-off")["identity_check"] == "offline"


def test_guests_state_their_residency_and_it_is_recorded_as_such(server):
    srv = server()
    k = srv.kiosk()
    day = open_day(min_days=10)
    r = push(k, booking("guest-1", day, "guest:0123456789abcdef"))
    assert r["total_yen"] == expected_total(Residency.RESIDENT, day)
    row = stored(srv.db_url, "guest-1")
    assert (row["residency"], row["identity_check"]) == ("resident", "self_declared")
