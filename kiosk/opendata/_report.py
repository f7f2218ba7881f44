"""What an import found wrong, row by row, as translatable messages."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"  # the row / entry was skipped
    WARNING = "warning"  # the value was ignored and a default used; the row imported


@dataclass(frozen=True)
class ImportIssue:
    """One problem in one place of an input file.

    ``message`` is an English ``N_()`` string with ``{placeholders}`` filled from
    ``params``, so staff screens show it in their language.
    """

    source: str  # "facilities.csv" or "units.toml"
    row: int | None  # CSV line number (the header is line 1); 1-based entry number in TOML
    column: str  # CSV column name, or TOML key
    message: str
    params: Mapping[str, str | int] = field(default_factory=dict)
    severity: Severity = Severity.ERROR

    def render(self, gettext: Callable[..., str] | None = None) -> str:
        """The message in a language: pass ``Translator.gettext``; default English."""
        if gettext is None:
            return self.message.format(**self.params)
        return gettext(self.message, **self.params)


@dataclass
class ImportReport:
    """Everything an import did and found. Never raised: always returned."""

    issues: list[ImportIssue] = field(default_factory=list)
    facilities_imported: int = 0
    units_imported: int = 0
    encoding: str = ""  # what facilities.csv was decoded as

    @property
    def errors(self) -> list[ImportIssue]:
        return [i for i in self.issues if i.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[ImportIssue]:
        return [i for i in self.issues if i.severity is Severity.WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(
        self,
        source: str,
        row: int | None,
        column: str,
        message: str,
        severity: Severity = Severity.ERROR,
        /,
        **params: str | int,
    ) -> None:
        self.issues.append(ImportIssue(source, row, column, message, params, severity))
