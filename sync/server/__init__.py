"""The central server: authoritative bookings for every city (tenant), kiosk sync API.

    python -m sync.server                             serve on 127.0.0.1:8600, embedded SQLite
    python -m sync.server --db URL --port P [--workers N]
    python -m sync.server add-tenant --tenant CODE [--city-dir DIR]
    python -m sync.server enrol --tenant CODE --kiosk NAME   (or --staff NAME)
    python -m sync.server revoke --tenant CODE --kiosk NAME
    python -m sync.server migrate
    python -m sync.server openapi [--out docs/openapi.json]

See docs/server.md (running it) and docs/sync.md (the protocol).
"""
