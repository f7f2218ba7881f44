"""Fixtures for the card tests.

The real stack: pcscd with the vpcd driver, and the virtual card CLI
(``python -m kiosk.card.virtual``) as a vpcd client. As root with mount namespaces (CI,
these machines) the session gets a PRIVATE pcscd on two free ports and its own socket
(``kiosk.card.virtual.daemon``), so tests may stop it ("the reader is gone") without
touching anyone else's cards. Elsewhere they share the system daemon: the virtual card
takes whichever of its two vpcd readers is free, retrying while another run holds both.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.card.virtual.daemon import PcscDaemon
from kiosk.card.virtual.process import VirtualCardProcess, start_pcscd, start_virtual_card

ARTIFACTS = Path(os.environ.get("MADOGUCHI_TEST_ARTIFACTS", "/tmp"))


@pytest.fixture(scope="session")
def pcsc_daemon(tmp_path_factory) -> Iterator[PcscDaemon]:
    """The pcscd every card test talks to (private when possible, see the module doc)."""
    try:
        daemon = start_pcscd(tmp_path_factory.mktemp("pcscd"), ARTIFACTS / "pcscd-card-tests.log")
    except RuntimeError as exc:
        pytest.fail(str(exc))
    # pcsc-lite reads this once, at the first context of the process: set it first.
    os.environ.update(daemon.client_env())
    yield daemon
    daemon.stop()
    for key in daemon.client_env():  # children started later must not look for it
        os.environ.pop(key, None)


@pytest.fixture(scope="session")
def pcscd(pcsc_daemon) -> PcscDaemon:
    return pcsc_daemon


@pytest.fixture(scope="session")
def virtual_card_process(pcsc_daemon) -> Iterator[VirtualCardProcess]:
    try:
        card = start_virtual_card(pcsc_daemon, log_path=ARTIFACTS / "virtual-card.log")
    except RuntimeError as exc:
        pytest.fail(str(exc))
    yield card
    card.close()


@pytest.fixture
def vcard(virtual_card_process: VirtualCardProcess) -> VirtualCardProcess:
    """The virtual card, in the reader, with full PIN counters and an empty APDU log."""
    card = virtual_card_process
    card.insert()
    card.set_tries("card_info", 3)
    card.set_tries("auth", 3)
    card.post("/remove-on", ins="off")
    card.post("/apdus/clear")
    return card
