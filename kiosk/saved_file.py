"""A small JSON document kept in one file that must survive a crash or a bad edit: the
practice room (kiosk/practice/room_store.py), the payment simulator's books
(sync/paysim/state_file.py).

Writes go to a temporary file in the same directory, are flushed to disk and renamed over
the old file: a power cut mid-write leaves the old document or the new one, never half of
one. A file that cannot be read is the caller's to give up: ``set_aside`` moves it to
``NAME.unreadable`` so nobody loses it and the next start does not trip over it again.

    >>> import tempfile
    >>> from pathlib import Path
    >>> saved = JsonFile(Path(tempfile.mkdtemp()) / "room.json")
    >>> saved.read() is None                       # no file yet
    True
    >>> saved.write({"seats": 5})
    >>> saved.read()
    {'seats': 5}
    >>> _ = saved.path.write_text("{ cut sh")
    >>> saved.read()
    Traceback (most recent call last):
    ...
    ValueError: not JSON: Expecting property name enclosed in double quotes: line 1 column 3 (char 2)
    >>> saved.set_aside().name, saved.path.exists()
    ('room.json.unreadable', False)
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text``: the old file or the new one, never half of one."""
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class JsonFile:
    """One JSON document at ``path``. ``unreadable``: the ValueError subclass ``read``
    raises for a file that is there but cannot be read, so each caller names its own;
    ``logger``: where a failed ``set_aside`` is told (the caller's, which its process
    sends somewhere a person reads)."""

    def __init__(self, path: Path, unreadable: type[ValueError] = ValueError,
                 logger: logging.Logger = log) -> None:
        self.path = Path(path)
        self.unreadable = unreadable
        self.log = logger

    def read(self) -> Any | None:
        """The document; None when there is no file."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            raise self.unreadable(str(exc)) from None
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise self.unreadable(f"not JSON: {exc}") from None

    def write(self, document: Any, *, indent: int | None = None) -> None:
        """Save ``document`` atomically; OSError (a full disk) is the caller's to judge."""
        write_atomically(self.path, json.dumps(document, ensure_ascii=False, indent=indent))

    def set_aside(self) -> Path:
        """Move an unreadable file to ``NAME.unreadable``; its new path."""
        aside = self.path.with_name(self.path.name + ".unreadable")
        try:
            os.replace(self.path, aside)
        except OSError as exc:
            self.log.error("could not move the unreadable %s aside: %s", self.path, exc)
        return aside
