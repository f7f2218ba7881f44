"""Workshop practice mode: ``python -m kiosk practice`` (docs/practice.md)."""
