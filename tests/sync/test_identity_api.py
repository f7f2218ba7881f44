"""JPKI user authentication on the real central server process, over loopback HTTP, on
SQLite and PostgreSQL: challenges, verification, registration with consent.

The card side signs in process (the virtual card model through the same card code the
kiosk runs); tests/card/test_identity_e2e.py does it through pcscd + vpcd.
"""

from __future__ import annotations

import base64
import datetime as dt
import time
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from kiosk.card.mynumber import MyNumberCard
from kiosk.card.trust import TRUST_ENV
from kiosk.card.virtual import LocalTransport, VirtualIdentity, VirtualMyNumberCard, virtual_ca
from kiosk.card.virtual.identity import issue_auth_certificate
from sync.server.db import Database
from sync.server.identity_api import RESIDENCY_DAYS_ENV, TTL_ENV
from sync.server.process import ServerProcess

from .conftest import seed

IN_CITY = "千葉県みどり市中央一丁目2番3号"
ELSEWHERE = "東京都千代田区丸の内一丁目"


@pytest.fixture(scope="module")
def trust_dir(tmp_path_factory) -> Path:
    """The trusted CA directory: the virtual card's test CA, as the demo configures."""
    folder = tmp_path_factory.mktemp("trust")
    _, ca = virtual_ca()
    (folder / "virtual-ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    return folder


class Server:
    def __init__(self, db_url: str, tmp: Path, trust: Path, **env: str) -> None:
        self.tenants = seed(db_url, {"midori": ["kiosk-1", "kiosk-2"], "other": ["kiosk-x"]})
        self.db_url = db_url
        self.proc = ServerProcess(db_url, log_path=tmp / "server.log",
                                  env={TRUST_ENV: str(trust), **env}).start()

    def kiosk(self, name: str = "kiosk-1", tenant: str = "midori") -> httpx.Client:
        token = self.tenants[tenant].kiosk_tokens[name]
        return httpx.Client(base_url=self.proc.url, headers={"Authorization": f"Bearer {token}"}, timeout=10)

    def close(self) -> None:
        self.proc.close()


@pytest.fixture
def server(db_url, tmp_path, trust_dir):
    made: list[Server] = []

    def make(**env: str) -> Server:
        made.append(Server(db_url, tmp_path, trust_dir, **env))
        return made[-1]

    yield make
    for s in made:
        s.close()


def card_signature(challenge: bytes, card: VirtualMyNumberCard | None = None, pin: str = "1234") -> tuple[bytes, bytes]:
    """(certificate DER, signature) from the virtual card, through the kiosk's card code."""
    card = card or VirtualMyNumberCard()
    t = LocalTransport(card)
    c = MyNumberCard(t)
    signature = c.sign_challenge(pin, challenge)
    return c.read_auth_certificate(), signature


def new_challenge(client: httpx.Client) -> tuple[str, bytes]:
    r = client.post("/v1/identity/challenges")
    assert r.status_code == 201, r.text
    body = r.json()
    value = base64.b64decode(body["challenge"])
    assert len(value) == 32
    return body["challenge_id"], value


def verify(client: httpx.Client, challenge_id: str, cert: bytes, signature: bytes) -> httpx.Response:
    return client.post("/v1/identity/verify", json={
        "challenge_id": challenge_id,
        "certificate": base64.b64encode(cert).decode(),
        "signature": base64.b64encode(signature).decode(),
    })


def authenticate(client: httpx.Client, card: VirtualMyNumberCard | None = None) -> httpx.Response:
    cid, challenge = new_challenge(client)
    return verify(client, cid, *card_signature(challenge, card))


def dump(db_url: str) -> str:
    """Every row of the identity tables, as text (to prove what is and is not kept)."""
    db = Database(db_url)
    try:
        with db.read() as c:
            rows = [c.all(f"SELECT * FROM {t}") for t in ("card_holders", "identity_grants", "identity_challenges")]
    finally:
        db.close()
    return repr(rows)


def test_first_use_registers_with_consent_and_a_returning_holder_is_recognised(server):
    srv = server()
    k = srv.kiosk()
    r = authenticate(k)
    assert r.status_code == 200, r.text
    first = r.json()
    assert first["registered"] is False and first["name"] is None and first["registration_token"]
    assert first["person_key"].startswith("jpki:")

    identity = VirtualIdentity()
    r = k.post("/v1/identity/register", json={"registration_token": first["registration_token"],
                                               "consent": True, "name": identity.name, "address": IN_CITY})
    assert r.status_code == 201, r.text
    assert r.json() == {"person_key": first["person_key"], "name": identity.name, "resident": True}

    # the same card again (another challenge, the other kiosk of the city): known at once
    r = authenticate(srv.kiosk("kiosk-2"))
    again = r.json()
    assert r.status_code == 200 and again["registered"] is True
    assert (again["name"], again["resident"], again["registration_token"]) == (identity.name, True, None)
    assert again["person_key"] == first["person_key"]

    # what is kept: the pseudonym, the name and a resident flag; not the address, the
    # birth date, the sex, the certificate or (never read at all) the individual number
    kept = dump(srv.db_url)
    assert first["person_key"] in kept and identity.name in kept
    for secret in (IN_CITY, "中央一丁目", "1950", identity.individual_number, "1234"):
        assert secret not in kept

    # another city knows nothing of this person
    assert authenticate(srv.kiosk("kiosk-x", "other")).json()["registered"] is False


def test_residency_follows_the_address_and_is_checked_again_when_old(server):
    srv = server(**{RESIDENCY_DAYS_ENV: "0"})
    k = srv.kiosk()
    token = authenticate(k).json()["registration_token"]
    r = k.post("/v1/identity/register", json={"registration_token": token, "consent": True,
                                               "name": "窓口　花子", "address": ELSEWHERE})
    assert r.status_code == 201 and r.json()["resident"] is False
    assert r.json()["name"] == "窓口 花子"  # spaces normalised
    time.sleep(1.1)  # older than 0 days: the kiosk is asked to read the address again
    again = authenticate(k).json()
    assert again["registered"] is True and again["resident"] is False and again["registration_token"]
    r = k.post("/v1/identity/register", json={"registration_token": again["registration_token"],
                                               "consent": True, "name": "窓口 花子", "address": IN_CITY})
    assert r.json()["resident"] is True
    assert authenticate(k).json()["resident"] is True


def test_registration_needs_consent_and_a_live_grant_of_this_kiosk(server):
    srv = server()
    k1, k2 = srv.kiosk(), srv.kiosk("kiosk-2")
    token = authenticate(k1).json()["registration_token"]
    body = {"registration_token": token, "consent": False, "name": "A", "address": IN_CITY}
    assert k1.post("/v1/identity/register", json=body).status_code == 422
    body["consent"] = True
    assert k2.post("/v1/identity/register", json=body).json() == {"detail": "registration_refused"}
    assert k1.post("/v1/identity/register", json=body).status_code == 201
    assert k1.post("/v1/identity/register", json=body).json() == {"detail": "registration_refused"}
    body["registration_token"] = "mdr_made-up"
    assert k1.post("/v1/identity/register", json=body).status_code == 403
    for bad in ({"name": ""}, {"address": "x" * 301}, {"name": "x" * 101}):
        assert k1.post("/v1/identity/register", json={**body, **bad}).status_code == 422


def test_challenges_are_single_use_bound_to_the_kiosk_and_expire(server):
    srv = server(**{TTL_ENV: "1"})
    k1, k2, other = srv.kiosk(), srv.kiosk("kiosk-2"), srv.kiosk("kiosk-x", "other")
    cid, challenge = new_challenge(k1)
    signed = card_signature(challenge)
    assert verify(k2, cid, *signed).json() == {"detail": "challenge_unknown"}
    assert verify(other, cid, *signed).status_code == 404
    assert verify(k1, cid, *signed).status_code == 200
    assert verify(k1, cid, *signed).json() == {"detail": "challenge_used"}
    assert verify(k1, "no-such-challenge", *signed).status_code == 404

    # a failed attempt spends the challenge too: no second guess at the same one
    cid, challenge = new_challenge(k1)
    cert, signature = card_signature(challenge)
    assert verify(k1, cid, cert, bytes(256)).json() == {"detail": "bad_signature"}
    assert verify(k1, cid, cert, signature).json() == {"detail": "challenge_used"}

    cid, challenge = new_challenge(k1)
    signed = card_signature(challenge)
    time.sleep(2.2)  # times are kept to the second: 1 s of TTL may last almost 2
    r = verify(k1, cid, *signed)
    assert (r.status_code, r.json()) == (410, {"detail": "challenge_expired"})


def _foreign_card(not_before: dt.datetime, not_after: dt.datetime, ca: str = "trusted") -> tuple[rsa.RSAPrivateKey, bytes]:
    """A card key and certificate issued by: the trusted test CA, an impostor CA with the
    same name but its own key, or another CA altogether."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_key, ca_cert = virtual_ca()
    if ca != "trusted":
        name = ca_cert.subject if ca == "impostor" else x509.Name(
            [x509.NameAttribute(NameOID.COMMON_NAME, "Some Other CA")])
        ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        ca_cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                   .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(not_before).not_valid_after(not_after + dt.timedelta(days=1))
                   .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                   .sign(ca_key, hashes.SHA256()))
    cert = issue_auth_certificate(key, ca_key, ca_cert, "foreign", not_before, not_after)
    return key, cert.public_bytes(serialization.Encoding.DER)


def _sign(key: rsa.RSAPrivateKey, challenge: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    return key.sign(challenge, padding.PKCS1v15(), hashes.SHA256())


def test_certificates_that_must_not_verify(server):
    srv = server()
    k = srv.kiosk()
    now = dt.datetime.now(dt.timezone.utc)
    valid = (now - dt.timedelta(days=1), now + dt.timedelta(days=30))
    cases = {
        "untrusted": _foreign_card(*valid, ca="other"),
        "bad_chain_signature": _foreign_card(*valid, ca="impostor"),
        "expired": _foreign_card(now - dt.timedelta(days=30), now - dt.timedelta(days=1)),
        "not_yet_valid": _foreign_card(now + dt.timedelta(days=1), now + dt.timedelta(days=30)),
    }
    for expected, (key, cert) in cases.items():
        cid, challenge = new_challenge(k)
        r = verify(k, cid, cert, _sign(key, challenge))
        assert (r.status_code, r.json()) == (403, {"detail": expected}), (expected, r.text)
    # and the same kind of card from the trusted CA does verify (the cases above can pass)
    key, cert = _foreign_card(*valid)
    cid, challenge = new_challenge(k)
    assert verify(k, cid, cert, _sign(key, challenge)).status_code == 200

    cid, challenge = new_challenge(k)
    r = verify(k, cid, b"not a certificate", bytes(256))
    assert r.json() == {"detail": "bad_certificate"}
    cid, _ = new_challenge(k)
    r = k.post("/v1/identity/verify", json={"challenge_id": cid, "certificate": "!!!", "signature": "AA=="})
    assert r.status_code == 422
    # the card signed another challenge: refused
    cid, challenge = new_challenge(k)
    cert, signature = card_signature(challenge + b"x")
    assert verify(k, cid, cert, signature).json() == {"detail": "bad_signature"}


def test_trust_anchors_for_the_kiosk_cache_and_who_may_call(server, trust_dir):
    srv = server()
    r = srv.kiosk().get("/v1/identity/trust")
    _, ca = virtual_ca()
    assert r.status_code == 200
    assert r.json()["certificates"] == ca.public_bytes(serialization.Encoding.PEM).decode()
    anonymous = httpx.Client(base_url=srv.proc.url)
    assert anonymous.post("/v1/identity/challenges").status_code == 401
    staff = httpx.Client(base_url=srv.proc.url,
                         headers={"Authorization": f"Bearer {srv.tenants['midori'].staff_token}"})
    assert staff.post("/v1/identity/challenges").status_code == 403


def test_without_configured_trust_nothing_verifies(db_url, tmp_path):
    seeded = seed(db_url, {"midori": ["kiosk-1"]})
    with ServerProcess(db_url, log_path=tmp_path / "server.log", env={TRUST_ENV: ""}) as proc:
        k = httpx.Client(base_url=proc.url, timeout=10,
                         headers={"Authorization": f"Bearer {seeded['midori'].kiosk_tokens['kiosk-1']}"})
        assert k.get("/v1/identity/trust").json() == {"certificates": ""}
        assert authenticate(k).json() == {"detail": "untrusted"}
