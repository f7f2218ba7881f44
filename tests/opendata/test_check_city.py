"""`python -m kiosk.tools.check_city`: a city's own files, and the report staff read."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
from pathlib import Path

from kiosk.opendata import load_city, sample_city_dir
from kiosk.tools import check_city

REPO = Path(__file__).resolve().parents[2]


def _city_with_mistakes(tmp_path: Path) -> Path:
    """The sample city as a city might publish it: CP932, with two bad cells."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    shutil.copy(sample_city_dir() / "units.toml", tmp_path / "units.toml")
    text = (sample_city_dir() / "facilities.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.reader(text.splitlines()))
    rows[2][1] = "二"  # line 3: NO is not a number: the facility is skipped
    rows[3][10] = "abc"  # line 4: 緯度 is not a number: imported without it
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    (tmp_path / "facilities.csv").write_bytes(out.getvalue().encode("cp932"))
    return tmp_path


def test_report_in_japanese_names_each_line_and_column(tmp_path, capsys):
    assert check_city.main([str(_city_with_mistakes(tmp_path)), "--lang", "ja"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == ("みどり市（122999）：施設7件、貸出単位23件を取り込みました"
                      "（facilities.csv の文字コード：Shift_JIS (CP932)）。")
    assert "  [取り込まず] facilities.csv 3行目「NO」: NO は整数にしてください（「二」ではなく）。" in out
    assert "  [既定値] facilities.csv 4行目「緯度」: 「abc」は数ではありません。" in out
    # The units of the skipped facility are reported too, not silently dropped.
    assert sum("hokubu-cc" in line for line in out) == 3


def test_everything_good_imports_and_exports_back(tmp_path, capsys):
    city_dir = _city_with_mistakes(tmp_path / "in")
    exported = tmp_path / "published.csv"
    check_city.main([str(city_dir), "--lang", "en", "--export", str(exported)])
    assert f"Facilities written to {exported}." in capsys.readouterr().out
    again = tmp_path / "again"
    again.mkdir()
    shutil.copy(city_dir / "units.toml", again / "units.toml")
    shutil.copy(exported, again / "facilities.csv")
    assert [f.id for f in load_city(again).facilities] == [f.id for f in load_city(city_dir).facilities]


def test_missing_files_say_so_in_easy_japanese_with_status_2(tmp_path):
    done = subprocess.run([sys.executable, "-m", "kiosk.tools.check_city", str(tmp_path / "none"),
                           "--lang", "ja-easy"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "ファイル facilities.csv が ありません。" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
