"""The CI gate on translations: every shipped catalog complete, nothing fuzzy, every
{placeholder} kept, and the template in step with the code."""

from __future__ import annotations

from kiosk.tools import _catalogs as C


def test_every_shipped_catalog_is_complete_and_consistent():
    problems = C.check()
    assert not problems, "\n".join(map(str, problems)) + "\n(run python -m kiosk.tools.extract, then translate)"


def test_the_check_finds_an_untranslated_message(tmp_path):
    # The gate must be able to fail: copy the catalogs, blank one translation, check again.
    import shutil

    shutil.copytree(C.REPO / "locales", tmp_path / "locales")
    for directory in C.SOURCE_DIRS:
        shutil.copytree(C.REPO / directory, tmp_path / directory,
                        ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    path = C.po_path("ja", tmp_path / "locales")
    catalog = C.read_catalog(path, "ja")
    victim = next(m for m in catalog if m.id and isinstance(m.id, str) and "{" in m.id)
    victim.string = ""
    path.write_bytes(C.serialize_po(catalog))
    problems = C.check(tmp_path)
    assert any(p.what == "untranslated" and p.message_id == victim.id for p in problems)


def test_the_check_finds_a_dropped_placeholder(tmp_path):
    import shutil

    shutil.copytree(C.REPO / "locales", tmp_path / "locales")
    for directory in C.SOURCE_DIRS:
        shutil.copytree(C.REPO / directory, tmp_path / directory,
                        ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    path = C.po_path("ja_easy", tmp_path / "locales")
    catalog = C.read_catalog(path, "ja")
    victim = next(m for m in catalog if isinstance(m.id, str) and "{code}" in m.id)
    victim.string = victim.string.replace("{code}", "")
    path.write_bytes(C.serialize_po(catalog))
    assert any("missing placeholder" in p.what and p.message_id == victim.id for p in C.check(tmp_path))
