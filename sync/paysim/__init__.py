"""A payment provider simulator: merchant-presented dynamic QR payments over HTTP.

Run it with ``python -m sync.paysim --port P [--config faults.json]``. See
docs/payments.md for the API, the faults it injects and the customer phone page.
"""

from .app import create_app
from .config import Faults, SimConfig, load_config

__all__ = ["Faults", "SimConfig", "create_app", "load_config"]
