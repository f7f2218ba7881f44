"""The real reader stack: pyscard -> pcscd -> vpcd -> the virtual card CLI process."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime

import pytest
from cryptography import x509

from kiosk.card.errors import CardErrorCode, CardRemoved
from kiosk.card.jpki_verify import verify_authentication
from kiosk.card.mynumber import MyNumberCard
from kiosk.card.reader import ReaderService, ReaderState
from kiosk.card.session import CardPurpose, CardSession, CardStep
from kiosk.card.virtual.identity import VirtualIdentity, virtual_ca
from kiosk.domain.model import Residency

pytestmark = [pytest.mark.pcsc, pytest.mark.timeout(120)]

PREFIXES = ("千葉県みどり市",)
NUMBER_FILE_SELECT = "00a4020c020001"  # SELECT EF 0001 (in the card-info AP: the individual number)
FORBIDDEN_SELECTS = {NUMBER_FILE_SELECT, "00a4020c020014", "00a4020c020015"}


@pytest.fixture
async def readers(vcard):
    async with ReaderService(reader_filter=vcard.reader, poll_ms=200) as service:
        await service.wait_for_card(timeout=10)
        yield service


def assert_never_touched_the_number(apdus: list[str]) -> None:
    assert apdus, "the card saw no commands at all"
    assert not FORBIDDEN_SELECTS & set(apdus), apdus
    # nothing ever addressed a file by short EF identifier either (READ BINARY P1 bit 8)
    assert not [a for a in apdus if a.startswith("00b0") and int(a[4:6], 16) & 0x80]


async def test_reads_the_basic_four_items_and_decides_residency(readers, vcard):
    session = CardSession(readers, CardPurpose.FORM_FILL, resident_address_prefixes=PREFIXES)
    seen = []
    session.subscribe(lambda v: seen.append(v.step))
    view = await session.wait_for_card(timeout=10)
    assert view.step is CardStep.PIN_ENTRY and view.tries_left == 3
    view = await session.submit_pin("1234")
    assert view.step is CardStep.DONE, view
    default = VirtualIdentity()
    holder = view.result.holder
    assert (holder.name, holder.address, holder.birth_date, holder.sex) == (
        default.name, default.address, default.birth_date, default.sex)
    assert view.result.residency is Residency.RESIDENT
    assert CardStep.READING in seen
    apdus = vcard.apdus()
    assert_never_touched_the_number(apdus)
    # tries were read (VERIFY without data) right before the one PIN attempt
    attempts = [i for i, a in enumerate(apdus) if a.startswith("0020008004")]
    assert len(attempts) == 1 and apdus[attempts[0] - 1] == "00200080"
    session.wipe()
    assert session.view.result is None


async def test_jpki_signature_verifies_against_the_test_ca(readers, vcard):
    _, ca = virtual_ca()
    session = CardSession(readers, CardPurpose.AUTHENTICATE, trusted_cas=[ca], challenge=b"server-nonce-123")
    await session.wait_for_card(timeout=10)
    view = await session.submit_pin("1234")
    assert view.step is CardStep.DONE, view
    result = view.result
    assert result.verified_offline and len(result.signature) == 256
    # the server side runs the same pure verifier on what the kiosk sends it
    identity = verify_authentication(result.certificate_der, b"server-nonce-123", result.signature, [ca], datetime.now())
    assert identity.person_key == result.person_key
    cert = x509.load_der_x509_certificate(result.certificate_der)
    assert cert.issuer == ca.subject
    assert_never_touched_the_number(vcard.apdus())


async def test_wrong_pins_down_to_one_try_then_refuses_without_sending(readers, vcard):
    session = CardSession(readers, CardPurpose.FORM_FILL, resident_address_prefixes=PREFIXES)
    view = await session.wait_for_card(timeout=10)
    view = await session.submit_pin("0000")
    assert view.step is CardStep.PIN_ENTRY and view.error is CardErrorCode.WRONG_PIN and view.tries_left == 2
    view = await session.submit_pin("0000")
    # now one try is left: the kiosk stops and sends the person to the city office
    assert view.step is CardStep.FAILED and view.error is CardErrorCode.LAST_TRY
    assert vcard.state()["tries"]["card_info"] == 1
    sent_before = len(vcard.apdus())
    # a new session on the same card refuses before asking for a PIN
    again = CardSession(readers, CardPurpose.FORM_FILL)
    view = await again.wait_for_card(timeout=10)
    assert view.step is CardStep.FAILED and view.error is CardErrorCode.LAST_TRY
    later = vcard.apdus()[sent_before:]
    assert "00200080" in later and not [a for a in later if a.startswith("0020008004")]
    assert vcard.state()["tries"]["card_info"] == 1
    # and the low-level API refuses too, sending no PIN
    with pytest.raises(Exception) as err:
        await readers.run(lambda t: MyNumberCard(t).read_basic_four("1234"))
    assert err.value.code is CardErrorCode.LAST_TRY
    assert vcard.state()["tries"]["card_info"] == 1
    assert_never_touched_the_number(vcard.apdus())


async def test_locked_card_is_its_own_error(readers, vcard):
    vcard.set_tries("auth", 0)
    session = CardSession(readers, CardPurpose.AUTHENTICATE)
    view = await session.wait_for_card(timeout=10)
    assert view.step is CardStep.FAILED and view.error is CardErrorCode.CARD_LOCKED
    assert "city office" in view.message


async def test_card_removed_mid_read_is_a_clear_error_without_hanging(readers, vcard):
    session = CardSession(readers, CardPurpose.AUTHENTICATE)
    await session.wait_for_card(timeout=10)
    vcard.post("/remove-on", ins="B0", skip=1)  # vanish during the certificate read
    started = time.monotonic()
    view = await session.submit_pin("1234")
    assert view.step is CardStep.FAILED and view.error is CardErrorCode.CARD_REMOVED
    assert time.monotonic() - started < 10
    status = await readers.wait_for(lambda s: s.state is ReaderState.EMPTY, timeout=5)
    assert status.card_reader is None
    with pytest.raises(CardRemoved):
        await readers.run(lambda t: MyNumberCard(t).read_auth_certificate())


async def test_card_removed_while_the_person_types_the_pin(readers, vcard):
    session = CardSession(readers, CardPurpose.FORM_FILL)
    view = await session.wait_for_card(timeout=10)
    assert view.step is CardStep.PIN_ENTRY
    await asyncio.to_thread(vcard.remove)
    for _ in range(50):
        if session.view.step is CardStep.FAILED:
            break
        await asyncio.sleep(0.1)
    assert session.view.error is CardErrorCode.CARD_REMOVED
    # a PIN typed after that is never sent
    sent = len(vcard.apdus())
    assert (await session.submit_pin("1234")).step is CardStep.FAILED
    assert len(vcard.apdus()) == sent


async def test_insert_and_remove_events(readers, vcard):
    changes = readers.changes()
    assert (await anext(changes)).state is ReaderState.CARD_PRESENT
    t0 = time.monotonic()
    await asyncio.to_thread(vcard.remove)
    status = await asyncio.wait_for(anext(changes), 5)
    removed_after = time.monotonic() - t0
    assert status.state is ReaderState.EMPTY and vcard.reader in status.readers
    t0 = time.monotonic()
    await asyncio.to_thread(vcard.insert)
    status = await asyncio.wait_for(anext(changes), 5)
    assert status.state is ReaderState.CARD_PRESENT and status.card_reader == vcard.reader
    inserted_after = time.monotonic() - t0
    await changes.aclose()
    print(f"removal noticed in {removed_after:.2f}s, insertion in {inserted_after:.2f}s")


async def test_no_card_means_waiting_then_timeout(readers, vcard):
    await asyncio.to_thread(vcard.remove)
    await readers.wait_for(lambda s: s.state is ReaderState.EMPTY, timeout=5)
    session = CardSession(readers, CardPurpose.FORM_FILL)
    view = await session.wait_for_card(timeout=0.5)
    assert view.step is CardStep.FAILED and view.error is CardErrorCode.TIMEOUT
