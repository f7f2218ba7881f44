"""Hold the catalogs to the glossary (locales/glossary.toml) and to their English source.

    python -m kiosk.tools.check_glossary            # shipped languages; exit 1 on problems
    python -m kiosk.tools.check_glossary --staged   # report on the prepared languages

Two checks per translation, on top of check_catalogs' completeness and placeholders:

- terms: where a glossary term's English words appear in a message id, the translation
  contains that language's term (one of its accepted forms);
- copies: a translation is not the English message itself, unless the message without
  {placeholders} and the allowed tokens (codes, brand names) has no letters left.

    >>> glossary = Glossary.parse('''
    ... [copy]
    ... allowed_tokens = ["OK"]
    ... [terms.booking]
    ... en = ["booking", "book"]
    ... ja = ["予約"]
    ... ''')
    >>> [p.what for p in glossary.check_message("ja", "Book it", ["予約する"])]
    []
    >>> [p.what for p in glossary.check_message("ja", "Book it", ["申し込む"])]
    ['term "booking" missing: use one of 予約']
    >>> [p.what for p in glossary.check_message("ja", "OK", ["OK"])]
    []
    >>> [p.what for p in glossary.check_message("vi", "Book it", ["Book it"])]
    ['a copy of the English source']
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.tools import _catalogs as C

GLOSSARY = C.LOCALES / "glossary.toml"
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


@dataclass(frozen=True)
class Term:
    id: str
    english: tuple[str, ...]  # the words that call for the term
    forms: dict[str, tuple[str, ...]]  # language code -> accepted forms, preferred first
    skip: frozenset[str] = frozenset()
    note: str = ""

    def pattern(self) -> re.Pattern:
        words = sorted(self.english, key=len, reverse=True)
        return re.compile(r"(?<![\w-])(" + "|".join(re.escape(w) for w in words) + r")(?![\w-])",
                          re.IGNORECASE)


@dataclass
class Glossary:
    terms: list[Term] = field(default_factory=list)
    allowed_tokens: tuple[str, ...] = ()
    same_words: dict[str, frozenset[str]] = field(default_factory=dict)  # code -> words

    @classmethod
    def parse(cls, text: str) -> Glossary:
        doc = tomllib.loads(text)
        terms = []
        for term_id, spec in doc.get("terms", {}).items():
            english = spec.get("en", [])
            english = (english,) if isinstance(english, str) else tuple(english)
            forms = {}
            for key, value in spec.items():
                if key in ("en", "note", "skip"):
                    continue
                forms[key] = (value,) if isinstance(value, str) else tuple(value)
            terms.append(Term(term_id, english, forms, frozenset(spec.get("skip", ())),
                              spec.get("note", "")))
        copy = doc.get("copy", {})
        same = {code: frozenset(words) for code, words in copy.get("same_words", {}).items()}
        return cls(terms, tuple(copy.get("allowed_tokens", ())), same)

    @classmethod
    def load(cls, path: Path = GLOSSARY) -> Glossary:
        return cls.parse(path.read_text(encoding="utf-8"))

    def terms_in(self, message_id: str) -> list[Term]:
        """The terms a message's English calls for; a longer term's words are not also
        counted as a shorter one's ("non-resident" is not "resident")."""
        text = _PLACEHOLDER.sub(" ", message_id)
        found: list[tuple[int, Term]] = []
        spans: list[tuple[int, int]] = []
        matches = []
        for term in self.terms:
            for m in term.pattern().finditer(text):
                matches.append((m.end() - m.start(), m.start(), m.end(), term))
        for _, start, end, term in sorted(matches, key=lambda m: (-m[0], m[1])):
            if any(start < e and s < end for s, e in spans):
                continue
            spans.append((start, end))
            found.append((start, term))
        seen: list[Term] = []
        for _, term in sorted(found, key=lambda f: f[0]):
            if term not in seen:
                seen.append(term)
        return seen

    def is_allowed_copy(self, message_id: str) -> bool:
        rest = _PLACEHOLDER.sub(" ", message_id)
        for token in sorted(self.allowed_tokens, key=len, reverse=True):
            rest = re.sub(r"(?<!\w)" + re.escape(token) + r"(?!\w)", " ", rest)
        return not any(ch.isalpha() for ch in rest)

    def check_message(self, code: str, message_id: str, translations: list[str],
                      where: str = "") -> list[C.Problem]:
        problems = []
        where = where or code
        if (any(text == message_id for text in translations) and not self.is_allowed_copy(message_id)
                and message_id not in self.same_words.get(code, ())):
            problems.append(C.Problem(where, message_id, "a copy of the English source"))
        for term in self.terms_in(message_id):
            forms = term.forms.get(code)
            if not forms or message_id in term.skip:
                continue
            for text in translations:
                folded = text.casefold()
                if not any(form.casefold() in folded for form in forms):
                    problems.append(C.Problem(where, message_id,
                                              f'term "{term.id}" missing: use one of {", ".join(forms)}'))
                    break
        return problems

    def coverage(self, codes: Iterable[str]) -> list[C.Problem]:
        """Every term has an entry for every language checked."""
        return [C.Problem("glossary.toml", term.id, f"no term for {code}")
                for term in self.terms for code in codes
                if code not in ("en",) and code not in term.forms]


def check(codes: Iterable[str] | None = None, root: Path = C.REPO,
          glossary: Glossary | None = None) -> list[C.Problem]:
    """Glossary and copy problems in the catalogs of ``codes`` (default: shipped)."""
    glossary = glossary or Glossary.load(root / "locales" / "glossary.toml")
    folders = C.catalog_dirs(staged=True)
    codes = list(codes if codes is not None else C.catalog_dirs())
    problems = glossary.coverage(codes)
    for code in codes:
        if code == C.SOURCE_LANGUAGE:
            continue  # the English catalog is the source itself
        folder = folders[code]
        path = C.po_path(folder, root / "locales")
        if not path.is_file():
            continue  # check_catalogs reports a missing catalog
        for message in C.read_catalog(path, C.babel_locale(folder)):
            if not message.id:
                continue
            ids = [message.id] if isinstance(message.id, str) else list(message.id)
            strings = [message.string] if isinstance(message.string, str) else list(message.string or ())
            strings = [s for s in strings if s]
            if not strings:
                continue  # untranslated: check_catalogs' concern
            problems += glossary.check_message(code, ids[0], strings, f"{folder}/messages.po")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kiosk.tools.check_glossary",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--staged", action="store_true",
                        help="report on the staged (prepared, not shipped) languages instead")
    parser.add_argument("languages", nargs="*", help="language codes (default: all shipped or staged)")
    args = parser.parse_args(argv)
    codes = args.languages or list(C.staged_dirs() if args.staged else C.catalog_dirs())
    problems = check(codes)
    for problem in problems:
        print(problem)
    label = "given" if args.languages else ("staged" if args.staged else "shipped")
    if problems:
        print(f"check_glossary: {len(problems)} problem(s) in {label} catalogs", file=sys.stderr)
        return 1
    print(f"check_glossary: {label} catalogs ({', '.join(codes)}) agree with the glossary")
    return 0


if __name__ == "__main__":
    sys.exit(main())
