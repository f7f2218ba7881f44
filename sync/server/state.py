"""What one server process holds, shared by every router through ``app.state.server``."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from .bookings import BookingService
from .cities import CityRegistry
from .db import Database
from .live import ChangeNotifier
from .tenants import CredentialCache


@dataclass
class ServerState:
    db: Database
    notifier: ChangeNotifier
    credentials: CredentialCache
    cities: CityRegistry
    bookings: BookingService


def server_state(request: Request) -> ServerState:
    return request.app.state.server
