"""Hold the やさしい日本語 catalog to the rules in docs/i18n.md (after the national
在留支援のためのやさしい日本語ガイドライン, 出入国在留管理庁・文化庁).

    python -m kiosk.tools.check_easy_japanese

What a machine can check, per translation (placeholders taken out first):

- no honorific or humble forms (ございます, いただく, お持ち, ご確認 ...);
- no double negatives (〜なければ, 〜ないと いけない ...) and no passive 〜される;
- no kanji, except after its reading in brackets: しやくしょ（市役所）;
- short sentences: at most ``MAX_SENTENCE`` characters each, reading brackets not counted.

    >>> [p.what for p in problems_in("Back", "もどる")]
    []
    >>> [p.what for p in problems_in("Closed", "休館日です。")]
    ['kanji without its reading in brackets: 休館日']
    >>> [p.what for p in problems_in("Wait", "まって おります。")]
    ['honorific or humble form: おります']
    >>> problems_in("Go", "しやくしょ（市役所）へ いって ください。")
    []
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from kiosk.tools import _catalogs as C

FOLDER = "ja_easy"
MAX_SENTENCE = 45  # characters, spaces included; the guideline asks for short sentences
HONORIFIC = ("ございます", "いたし", "いただ", "おります", "なさって", "くださいませ", "申し訳",
             "させて", "お住まい", "お声", "お待ち", "お持ち", "お越し", "お使い", "お受け",
             "お取り", "お願い", "ご利用", "ご連絡", "ご確認", "ご用件", "ご注意")
DOUBLE_NEGATIVE = ("なければ", "なくては", "ないと いけ", "ないといけ", "ないわけ", "ないことは",
                   "ないでは", "ざるを")
PASSIVE = re.compile(r"され(る|て|た|ま|ない)")
_KANJI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_READING = re.compile(r"（[^（）]*）")  # a kanji word after its kana reading
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
_SENTENCE_END = re.compile(r"(?<=[。！？?!])")


def problems_in(message_id: str, text: str, where: str = FOLDER) -> list[C.Problem]:
    found: list[C.Problem] = []
    plain = _PLACEHOLDER.sub("", text)
    for form in HONORIFIC:
        if form in plain:
            found.append(C.Problem(where, message_id, f"honorific or humble form: {form}"))
    for form in DOUBLE_NEGATIVE:
        if form in plain:
            found.append(C.Problem(where, message_id, f"double negative: {form}"))
    passive = PASSIVE.search(plain)
    if passive:
        found.append(C.Problem(where, message_id, f"passive form: {passive.group(0)}"))
    outside = _READING.sub("", plain)
    for kanji in _KANJI.findall(outside):
        found.append(C.Problem(where, message_id, f"kanji without its reading in brackets: {kanji}"))
    for sentence in _SENTENCE_END.split(outside):
        if len(sentence.strip()) > MAX_SENTENCE:
            found.append(C.Problem(where, message_id,
                                   f"sentence longer than {MAX_SENTENCE} characters: {sentence.strip()}"))
    return found


def check(root: Path = C.REPO) -> list[C.Problem]:
    path = C.po_path(FOLDER, root / "locales")
    if not path.is_file():
        return []
    problems: list[C.Problem] = []
    for message in C.read_catalog(path, "ja"):
        if not message.id:
            continue
        message_id = message.id if isinstance(message.id, str) else message.id[0]
        strings = [message.string] if isinstance(message.string, str) else list(message.string or ())
        for text in strings:
            if text:
                problems += problems_in(message_id, text, f"{FOLDER}/messages.po")
    return problems


def main(argv: list[str] | None = None) -> int:
    problems = check()
    for problem in problems:
        print(problem)
    if problems:
        print(f"check_easy_japanese: {len(problems)} problem(s); see docs/i18n.md", file=sys.stderr)
        return 1
    print("check_easy_japanese: the やさしい日本語 catalog follows the rules")
    return 0


if __name__ == "__main__":
    sys.exit(main())
