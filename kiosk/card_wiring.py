"""The My Number card's part of the kiosk app: build it from the configuration, start it
on the UI's event loop.

    feature = make_card_feature(config)   # None: no card choice on this kiosk
    await start_card_feature(feature)     # in the first page's handler; safe to repeat

``card_reader``: "any" (the first reader that holds a card), "off", or a reader name.
With a central server configured, the kiosk verifies cards through it and caches the
server's trusted CAs in ``<data_dir>/jpki-trust-cache.pem`` for offline use; the
``jpki_trust`` file or directory adds CAs of its own.

    >>> from kiosk.app import KioskConfig
    >>> make_card_feature(KioskConfig(card_reader="off")) is None
    True
"""

from __future__ import annotations

import asyncio
import logging

log = logging.getLogger(__name__)

TRUST_REFRESH_S = 6 * 3600


def make_card_feature(config):
    if config.card_reader.strip().lower() in ("off", "none", "no", ""):
        return None
    try:
        from kiosk.card.reader import ReaderService
    except ImportError as exc:  # pyscard or libpcsclite missing on this machine
        log.error("no card support on this kiosk: %s", exc)
        return None
    from kiosk.card.identity_client import IdentityClient, TrustCache
    from kiosk.flow.card_identify import CardFeature

    reader = None if config.card_reader.strip().lower() == "any" else config.card_reader
    identity = None
    token_file = config.kiosk_token_file
    if config.server_url and token_file is not None and token_file.is_file():
        identity = IdentityClient(config.server_url, token_file.read_text().strip())
    trust = TrustCache(config.data_dir / "jpki-trust-cache.pem", config.jpki_trust)
    return CardFeature(ReaderService(reader_filter=reader), identity, trust,
                       wait_timeout_s=config.card_wait_timeout_s)


async def start_card_feature(feature) -> None:
    """Start the reader service and keep the CA cache fresh (once per feature)."""
    if feature is None or feature.started:
        return
    feature.started = True
    await feature.service.start()
    if feature.identity is not None and feature.trust is not None:
        # In the background: a slow or absent server must not delay the first screen.
        feature.refresher = asyncio.get_running_loop().create_task(_refresh_trust(feature))


async def _refresh_trust(feature) -> None:
    while True:
        await feature.trust.refresh(feature.identity)
        await asyncio.sleep(TRUST_REFRESH_S)
