"""The kiosk's payment client error mapping (transport seam) and the ESC/POS receipt
encoder with its dummy, file and network backends."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import httpx
import pytest

from kiosk.payments.client import PaymentClient, PaymentRefused, PaymentUnavailable
from kiosk.payments.escpos import (
    DummyPrinter,
    FilePrinter,
    NetworkPrinter,
    PrinterError,
    Receipt,
    encode_text,
    printer_from_setting,
)

from .escpos_parse import parse


def client_answering(status: int, body: bytes | dict | Exception) -> PaymentClient:
    def handler(request: httpx.Request) -> httpx.Response:
        if isinstance(body, Exception):
            raise body
        if isinstance(body, dict):
            return httpx.Response(status, json=body)
        return httpx.Response(status, content=body)
    return PaymentClient("http://server", "token", transport=httpx.MockTransport(handler))


def test_client_maps_every_failure_to_two_exceptions() -> None:
    with pytest.raises(PaymentRefused) as refused:
        client_answering(409, {"detail": {"code": "already_paid"}}).start(["b"])
    assert refused.value.code == "already_paid"
    for status, body in ((503, {"detail": {"code": "down"}}), (502, {"detail": {}}),
                         (500, b"<html>proxy error</html>"), (200, b"not json"),
                         (0, httpx.ConnectError("down")), (0, httpx.ReadTimeout("slow"))):
        with pytest.raises(PaymentUnavailable):
            client_answering(status, body).status("pay-1")
    assert client_answering(404, {"detail": {"code": "not_found"}}).lookup("ABC", "0900000000") is None
    assert client_answering(422, {"detail": [{"msg": "bad"}]}).lookup("A B", "x") is None


def test_text_is_shift_jis_with_fallbacks() -> None:
    assert encode_text("¥3,000") == "￥3,000".encode("cp932")
    assert encode_text("10:42\u202fAM") == b"10:42 AM"  # Babel's narrow no-break space
    assert encode_text("ราคา") == b"????"  # a script the printer cannot carry: never a crash


def test_document_round_trip_and_backends(tmp_path: Path) -> None:
    doc = Receipt().line("領収書", big=True, align="center").line("予約番号：K7Q-4MX", bold=True)
    doc.qr("MDG1.k.claims.sig").line("ありがとうございました").cut()
    lines, qrs, cuts = parse(doc.encode())
    assert lines == ["領収書", "予約番号:K7Q-4MX", "", "ありがとうございました", "", "", ""]  # NFKC: ：→:
    assert qrs == ["MDG1.k.claims.sig"] and cuts == 1
    dummy = DummyPrinter()
    dummy.print(doc)
    assert dummy.output == doc.encode()
    spool = tmp_path / "printer.escpos"
    FilePrinter(spool).print(doc)
    FilePrinter(spool).print(doc)
    assert spool.read_bytes() == doc.encode() * 2
    with pytest.raises(PrinterError):
        FilePrinter(tmp_path / "no" / "such" / "dir" / "lp0").print(doc)


def test_network_printer_on_a_real_socket() -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    got: list[bytes] = []

    def accept() -> None:
        conn, _ = server.accept()
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
        got.append(data)
        conn.close()

    thread = threading.Thread(target=accept)
    thread.start()
    doc = Receipt().line("テスト").cut()
    NetworkPrinter("127.0.0.1", server.getsockname()[1]).print(doc)
    thread.join(5)
    port = server.getsockname()[1]
    server.close()
    assert got == [doc.encode()]
    with pytest.raises(PrinterError):  # nothing listens there any more
        NetworkPrinter("127.0.0.1", port, timeout=1).print(doc)


def test_printer_settings(tmp_path: Path) -> None:
    assert isinstance(printer_from_setting(None, tmp_path), FilePrinter)
    assert printer_from_setting("none", tmp_path) is None
    assert printer_from_setting("file:/dev/usb/lp0", tmp_path).path == Path("/dev/usb/lp0")
    assert printer_from_setting("tcp:10.0.0.5", tmp_path).port == 9100
    with pytest.raises(ValueError):
        printer_from_setting("usb", tmp_path)
