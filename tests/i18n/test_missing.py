"""The tool that says what a catalog lacks before its language ships."""

from __future__ import annotations

import json
import shutil
import warnings

from kiosk.tools import _catalogs as C
from kiosk.tools import missing


def test_every_shipped_language_is_ready():
    report = missing.report(list(C.catalog_dirs()))
    assert not any(report.values()), report


def test_staged_languages_report():
    # Staged languages catch up before they ship: reported, not a gate.
    report = missing.report(list(C.staged_dirs())) if C.staged_dirs() else {}
    lacking = {code: lines for code, lines in report.items() if lines}
    if lacking:
        warnings.warn(f"staged catalogs lack: {lacking}", stacklevel=1)
    assert set(report) <= set(C.staged_dirs()) | {""}


def test_a_blanked_translation_is_reported_and_listed_to_do(tmp_path):
    shutil.copytree(C.REPO / "locales", tmp_path / "locales")
    path = C.po_path("th", tmp_path / "locales")
    catalog = C.read_catalog(path, "th")
    catalog.get("Choose a day").string = ""
    plural = next(m for m in catalog if isinstance(m.id, tuple))
    plural.string = ("",)
    path.write_bytes(C.serialize_po(catalog))

    report = missing.report(["th", "ja"], tmp_path)
    assert report["ja"] == []
    assert any("untranslated" in line and "Choose a day" in line for line in report["th"])
    todo = missing.todo(["th"], tmp_path)
    assert todo == {"th": {"Choose a day": "", plural.id[0]: [""]}}
    json.dumps(todo)  # the --todo file fill_catalog reads


def test_the_command_line_exit_status(capsys):
    assert missing.main(["ja", "zh-Hant"]) == 0
    assert "zh-Hant: ready" in capsys.readouterr().out
    assert missing.main(["xx"]) == 2
