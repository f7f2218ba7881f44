"""What one server process holds, shared by every router through ``app.state.server``."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from .bookings import BookingService
from .cities import CityRegistry
from .db import Database
from .group_commit import GroupCommit
from .live import ChangeNotifier
from .tenants import CredentialCache


@dataclass
class ServerState:
    db: Database
    notifier: ChangeNotifier
    credentials: CredentialCache
    cities: CityRegistry
    bookings: BookingService
    # book mutations of concurrent requests, applied in one transaction (group_commit)
    book_writer: GroupCommit


def server_state(request: Request) -> ServerState:
    return request.app.state.server
