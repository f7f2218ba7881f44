"""The demo's virtual My Number card: ``python -m kiosk demo`` runs it beside the kiosk.

It starts pcscd if none runs (``scripts/pcsc.sh start``, no systemd needed), the virtual
card (``python -m kiosk.card.virtual``) on a free vpcd reader, taken OUT of the reader,
and its control page, where a newcomer "inserts" the card. The kiosk is pointed at that
reader, and the kiosk and the central server trust the virtual card's test CA.

Only for demos and workshops: a kiosk image never has vpcd or this companion.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from kiosk.card.trust import TRUST_ENV
from kiosk.card.virtual.daemon import PcscDaemon, missing_packages

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[3]
DEMO_CONTROL_PORT = 8610
OFF = ("off", "none", "no", "")


def trust_virtual_ca(data_dir: Path) -> Path:
    """The test CA's certificate in ``<data_dir>/jpki-trust/`` (a trust directory)."""
    from kiosk.card.virtual.identity import virtual_ca

    folder = data_dir / "jpki-trust"
    folder.mkdir(parents=True, exist_ok=True)
    _, ca = virtual_ca()
    (folder / "virtual-test-ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    return folder


def start_virtual_card(ports: list[int], control_port: int, log_path: Path,
                       identity: Path | None = None) -> tuple[subprocess.Popen, dict]:
    """The virtual card CLI, card out of the reader; its ``{"control", "port"}``."""
    command = [sys.executable, "-m", "kiosk.card.virtual", "--removed", "--until-stdin-closes",
               "--port", ",".join(map(str, ports)), "--control-port", str(control_port)]
    if identity is not None:
        command += ["--identity", str(identity)]
    with open(log_path, "ab") as err:
        # stdin is a lifeline: the card goes with the demo, even a demo killed hard
        proc = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=err, stdin=subprocess.PIPE,
                                text=True)
    info = json.loads(proc.stdout.readline() or "{}")
    if "control" not in info:
        proc.terminate()
        proc.wait(10)
        raise RuntimeError(info.get("error") or f"the virtual card did not start; see {log_path}")
    return proc, info


def virtual_card(config, daemon: PcscDaemon | None = None, control_port: int = DEMO_CONTROL_PORT):
    """A demo companion (kiosk.demo.COMPANIONS); runs before the central server, whose
    process inherits the trusted CA directory through ``MADOGUCHI_JPKI_TRUST``.
    ``daemon``: the pcscd to use (default: the system's, started if need be)."""
    from kiosk.demo import Companion

    if config.card_reader.strip().lower() in OFF or config.card_reader.strip().lower() != "any":
        return config, None  # no card, or a real reader chosen in the configuration
    missing = missing_packages()
    if missing:
        log.warning("no virtual card in this demo: %s", missing)
        return config.with_values({"card_reader": "off"}), None
    data_dir = config.data_dir
    trust = trust_virtual_ca(data_dir)
    os.environ.setdefault(TRUST_ENV, str(trust))  # the central server started next reads it
    if config.jpki_trust is None:
        config = config.with_values({"jpki_trust": trust})
    daemon = daemon or PcscDaemon.system(data_dir / "pcscd.log")
    we_started_pcscd = not daemon.running and not daemon.private
    if we_started_pcscd:
        started = subprocess.run(["bash", str(REPO / "scripts" / "pcsc.sh"), "start"],
                                 capture_output=True, text=True)
        if started.returncode != 0 or not daemon.running:
            log.warning("no virtual card in this demo: pcscd did not start (%s)", started.stderr.strip())
            return config.with_values({"card_reader": "off"}), None
    identity = data_dir / "virtual-card.json"
    try:
        try:
            proc, info = start_virtual_card(list(daemon.ports), control_port, data_dir / "virtual-card.log",
                                            identity if identity.is_file() else None)
        except RuntimeError:  # the control port is taken (another demo): any free port
            proc, info = start_virtual_card(list(daemon.ports), 0, data_dir / "virtual-card.log",
                                            identity if identity.is_file() else None)
    except (RuntimeError, ValueError) as exc:
        log.warning("no virtual card in this demo: %s", exc)
        return config.with_values({"card_reader": "off"}), None
    reader = daemon.readers[info["port"]]
    log.info("virtual My Number card on %s; control page %s/", reader, info["control"])

    def stop() -> None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        if we_started_pcscd:  # leave the machine as we found it
            subprocess.run(["bash", str(REPO / "scripts" / "pcsc.sh"), "stop"], capture_output=True)

    from kiosk.card.virtual.identity import VirtualIdentity

    who = VirtualIdentity.from_file(identity) if identity.is_file() else VirtualIdentity()
    config = config.with_values({"card_reader": reader})
    label = f"virtual My Number card of {who.name} (PIN {who.auth_pin}): insert it here"
    return config, Companion(label, info["control"] + "/", stop)
