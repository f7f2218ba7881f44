"""Schema fuzzing: schemathesis generates requests from the RUNNING server's OpenAPI
spec and sends each with a kiosk token and a staff token. Every router (sync, events,
staff, identity, payments, my bookings) is held to the same checks: no 5xx but a 503
its spec documents, and status code, content type and body as the spec says.

On SQLite the server runs with payments ON and the provider DOWN (so the payment
routes go past "disabled" and meet the outage); on PostgreSQL with payments off.
Bounded (a few dozen examples per operation) so it stays well under a minute per
database."""

from __future__ import annotations

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from sync.server.process import ServerProcess

from .conftest import book_mutation, open_day, seed

EXAMPLES_PER_OPERATION = 20
# the event streams never end by themselves (tests/sync/test_server_live.py and
# tests/sync/test_staff_call_events.py cover them)
SKIP = {("GET", "/v1/events"), ("GET", "/v1/staff/calls/events")}
PROVIDER_DOWN = {  # a provider URL where nothing listens: every call is refused at once
    "MADOGUCHI_PAY_PROVIDER_URL": "http://127.0.0.1:9", "MADOGUCHI_PAY_API_KEY": "fuzz-key",
    "MADOGUCHI_PAY_API_SECRET": "fuzz-secret", "MADOGUCHI_PAY_WEBHOOK_SECRET": "fuzz-webhook",
    "MADOGUCHI_PAY_PROVIDER_ATTEMPTS": "1", "MADOGUCHI_PAY_PROVIDER_TIMEOUT_S": "1",
}


def no_server_error_but_a_documented_503(ctx, response, case) -> None:  # noqa: ANN001
    """5xx is a failure, except a 503 the operation documents (a provider that is down)."""
    if response.status_code < 500:
        return None
    if response.status_code == 503 and "503" in (case.operation.definition.raw.get("responses") or {}):
        return None
    raise AssertionError(f"{response.status_code} from {case.method} {case.path}: {response.text[:300]}")


CHECKS = [no_server_error_but_a_documented_503, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@pytest.fixture
def fuzz_server(db_url: str, tmp_path):
    t = seed(db_url, {"midori": ["k1"]})["midori"]
    env = PROVIDER_DOWN if db_url.startswith("sqlite") else {}
    srv = ServerProcess(db_url, log_path=tmp_path / "server.log", env=env).start()
    yield srv, t, bool(env)
    srv.close()


def test_no_5xx_and_answers_match_the_spec(fuzz_server) -> None:
    srv, t, payments_on = fuzz_server
    spec = httpx.get(srv.url + "/openapi.json").json()
    schema = schemathesis.openapi.from_dict(spec)
    tokens = {"kiosk": t.kiosk_tokens["k1"], "staff": t.staff_token}
    ran = set()
    for result in schema.get_all_operations():
        op = result.ok()
        if (op.method.upper(), op.path) in SKIP:
            continue
        ran.add((op.method.upper(), op.path))

        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=op.as_strategy())
        def fuzz(case) -> None:
            if case.query and "wait" in case.query:  # long-poll: do not sit out 30 s
                case.query["wait"] = 0
            for token in tokens.values():
                case.call_and_validate(base_url=srv.url, headers={"Authorization": f"Bearer {token}"},
                                       checks=CHECKS, timeout=10)

        fuzz()
    every = {(m.upper(), p) for p, ops in spec["paths"].items() for m in ops}
    assert ran == every - SKIP, sorted(every - SKIP - ran)
    assert {p.split("/")[2] for _, p in ran} >= {"time", "whoami", "snapshot", "changes", "mutations",
                                                  "staff", "identity", "payments", "bookings"}

    # a real booking whose payment meets the provider outage: the documented 503
    day = open_day()
    kiosk = {"Authorization": f"Bearer {tokens['kiosk']}"}
    r = httpx.post(srv.url + "/v1/mutations", headers=kiosk,
                   json={"mutations": [book_mutation("fuzz-pay", "chuo-hall", day)]})
    assert r.json()["results"][0]["outcome"] == "applied", r.text
    case = schema["/v1/payments"]["POST"].Case(body={"booking_ids": ["fuzz-pay"]}, media_type="application/json")
    response = case.call(base_url=srv.url, headers=kiosk, timeout=10)
    case.validate_response(response, checks=CHECKS)
    if payments_on:
        assert response.status_code == 503 and response.headers["retry-after"][0].isdigit(), response.text
        assert response.json() == {"detail": {"code": "provider_unavailable"}}
    else:
        assert response.status_code == 409 and response.json()["detail"]["code"] == "payments_disabled"
