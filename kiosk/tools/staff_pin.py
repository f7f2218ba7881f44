"""Make the staff PIN hash for a kiosk's configuration (helper view, docs/assisted.md).

    python -m kiosk.tools.staff_pin            # asks for the PIN twice, prints the hash
    MADOGUCHI_STAFF_PIN_HASH='scrypt$...$...'  # put it in the kiosk's environment or TOML

The PIN (4 to 8 digits) is read without echo and never printed, stored or logged;
only its salted scrypt hash leaves this command.
"""

from __future__ import annotations

import getpass
import sys

from kiosk.flow.staff_pin import MAX_DIGITS, MIN_DIGITS, hash_pin


def main(argv: list[str] | None = None, ask=getpass.getpass) -> int:
    pin = ask(f"Staff PIN ({MIN_DIGITS} to {MAX_DIGITS} digits): ")
    if ask("The same PIN again: ") != pin:
        print("staff_pin: the two PINs differ; nothing made", file=sys.stderr)
        return 1
    try:
        line = hash_pin(pin)
    except ValueError as exc:
        print(f"staff_pin: {exc}", file=sys.stderr)
        return 1
    print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
