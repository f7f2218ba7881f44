"""A virtual My Number card for tests, demos and workshops (never on a kiosk image).

    card = VirtualMyNumberCard(VirtualIdentity(name=..., address=...))
    LocalTransport(card)                 # in process, no reader
    VpcdLink(card, port=35963).insert()  # through pcscd + vpcd, as a real card
"""

from kiosk.card.virtual.identity import VirtualIdentity, card_keys, virtual_ca
from kiosk.card.virtual.model import ATR, VirtualMyNumberCard
from kiosk.card.virtual.transport import LocalTransport
from kiosk.card.virtual.service import LocalCardService
from kiosk.card.virtual.vpcd import VpcdLink

__all__ = ["ATR", "LocalCardService", "LocalTransport", "VirtualIdentity", "VirtualMyNumberCard", "VpcdLink", "card_keys", "virtual_ca"]
