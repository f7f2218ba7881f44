"""The wire format between kiosks and the central server (version 1).

Shared by the FastAPI server (request/response models, hence the OpenAPI spec) and the
kiosk's sync client. Everything a kiosk learns about other people's bookings is a
``BusyChangeOut``: unit, time, status, booking id. Nothing personal.

Times on the wire are naive ISO datetimes in the city's time zone; an aware datetime is
converted to city time on arrival.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, WithJsonSchema

from kiosk.domain.model import BookingStatus, Residency

API_VERSION = "v1"

Id = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:\-]+$")]
Text = Annotated[str, StringConstraints(max_length=200, pattern=r"^[^\x00]*$")]
Code = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_\-]+$")]


def _city_time(value: datetime) -> datetime:
    from sync.server.clock import to_city_naive

    value = to_city_naive(value)
    if not 2000 <= value.year <= 2100:  # keeps date arithmetic far from datetime's limits
        raise ValueError("year out of range 2000-2100")
    return value.replace(microsecond=0)


# Naive city wall-clock times are not RFC 3339 "date-time" (no offset): the spec says
# what they are with a pattern instead, so clients and fuzzers read them right.
_CITY_TIME_IN = {
    "type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$",
    "description": "city wall-clock time YYYY-MM-DDTHH:MM:SS (an offset, if given, is converted)",
}
_CITY_TIME_OUT = {
    "type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$",
    "description": "city wall-clock time (Asia/Tokyo), YYYY-MM-DDTHH:MM:SS, no offset",
}
CityTime = Annotated[datetime, AfterValidator(_city_time), WithJsonSchema(_CITY_TIME_IN, mode="validation"),
                     WithJsonSchema(_CITY_TIME_OUT, mode="serialization")]
CityTimeOut = Annotated[datetime, WithJsonSchema(_CITY_TIME_OUT)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SlotIn(_Model):
    start: CityTime
    end: CityTime
    block_code: Code | None = None


B64 = Annotated[str, StringConstraints(min_length=1, max_length=8192, pattern=r"^[A-Za-z0-9+/=]+$")]


class CardIdentityIn(_Model):
    """How the kiosk knows a card holder (``person_key`` "jpki:..."); the server checks it
    again and decides residency itself (docs/server.md, "Residency of card holders").

    Online: ``challenge_id`` of the server's challenge the card signed and
    ``/v1/identity/verify`` accepted. Offline: ``verified_offline`` with the certificate,
    the kiosk's own challenge and the card's signature over it, ``signed_at``, and the
    ``address`` from the card (with consent) when the server has not registered the
    holder yet. The address decides residency and is never stored."""

    challenge_id: Id | None = None
    verified_offline: bool = False
    certificate: B64 | None = None
    challenge: Annotated[str, StringConstraints(max_length=512, pattern=r"^[A-Za-z0-9+/=]+$")] | None = None
    signature: Annotated[str, StringConstraints(max_length=1024, pattern=r"^[A-Za-z0-9+/=]+$")] | None = None
    signed_at: CityTime | None = None
    address: Annotated[str, StringConstraints(min_length=1, max_length=300, pattern=r"^[^\x00]*$")] | None = None


class BookingIn(_Model):
    booking_id: Id
    code: Annotated[str, StringConstraints(min_length=1, max_length=16, pattern=r"^[A-Z0-9\-]+$")]
    unit_id: Id
    slots: list[SlotIn] = Field(min_length=1, max_length=24)
    residency: Residency
    person_key: Id | None = None
    group_id: Id | None = None
    surcharge_codes: list[Code] = Field(default_factory=list, max_length=20)
    exemption_code: Code | None = None
    contact: dict[Code, Text] = Field(default_factory=dict, max_length=10)
    provisional: bool = False  # made while offline: a rejection needs a staff follow-up
    created_at: CityTime | None = None
    identity: CardIdentityIn | None = None  # card holders: what the server verifies again


class BookMutation(_Model):
    mutation_id: Id
    kind: Literal["book"]
    booking: BookingIn


class CancelMutation(_Model):
    mutation_id: Id
    kind: Literal["cancel"]
    booking_id: Id


Mutation = Annotated[BookMutation | CancelMutation, Field(discriminator="kind")]


class PushRequest(_Model):
    mutations: list[Mutation] = Field(min_length=1, max_length=100)


class ViolationOut(BaseModel):
    code: str
    params: dict[str, str | int] = Field(default_factory=dict)


class MutationResult(BaseModel):
    mutation_id: str
    kind: Literal["book", "cancel"]
    booking_id: str
    outcome: Literal["applied", "rejected"]
    status: BookingStatus | None  # the booking's status after this mutation; None: unknown booking
    violations: list[ViolationOut] = Field(default_factory=list)
    total_yen: int | None = None
    applied_at: CityTimeOut
    replayed: bool = False  # true when this is the stored answer to an earlier delivery


class PushResponse(BaseModel):
    results: list[MutationResult]


class BusyChangeOut(BaseModel):
    seq: int
    booking_id: str
    unit_id: str
    start: CityTimeOut
    end: CityTimeOut
    status: BookingStatus


class ChangesPage(BaseModel):
    changes: list[BusyChangeOut]
    cursor: str  # pass back as ``since`` to continue
    more: bool  # another page is ready now


class Snapshot(BaseModel):
    """Every interval that holds time now or later, and the cursor it is consistent with."""

    intervals: list[BusyChangeOut]
    cursor: str
    server_time: CityTimeOut


class ServerTime(BaseModel):
    now: CityTimeOut  # naive, city time zone
    time_zone: str
    epoch_ms: int


class WhoAmI(BaseModel):
    tenant: str
    role: Literal["kiosk", "staff"]
    name: str


class FollowUp(BaseModel):
    id: int
    booking_id: str
    booking_code: str
    unit_id: str
    slots: list[SlotIn]
    contact: dict[str, str]
    violations: list[ViolationOut]
    created_at: CityTimeOut
    resolved_at: CityTimeOut | None = None
    resolution: str | None = None


class ResolveFollowUp(_Model):
    resolution: Text


class ErrorOut(BaseModel):
    detail: str


__all__ = [
    "API_VERSION",
    "BookMutation",
    "BookingIn",
    "BusyChangeOut",
    "CancelMutation",
    "CardIdentityIn",
    "ChangesPage",
    "ErrorOut",
    "FollowUp",
    "Mutation",
    "MutationResult",
    "PushRequest",
    "PushResponse",
    "ResolveFollowUp",
    "ServerTime",
    "SlotIn",
    "Snapshot",
    "ViolationOut",
    "WhoAmI",
]
