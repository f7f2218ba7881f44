"""Command line of the central server; see ``sync.server`` for the commands."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .db import DB_URL_ENV, Database, resolve_url
from .migrations import migrate
from .tenants import AdminError, add_tenant, enrol, revoke

COMMANDS = ("serve", "add-tenant", "enrol", "revoke", "migrate", "openapi")
# On stop, requests in flight get this long to finish; kiosks' event streams and
# long-polls never finish by themselves, and a kiosk reconnects (and resumes from its
# cursor) anyway.
GRACE_S = 3


def openapi_json() -> str:
    """The API spec as committed in docs/openapi.json (no database needed)."""
    from fastapi.openapi.utils import get_openapi

    from .app import create_app

    app = create_app("sqlite:///:memory:")
    spec = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    return json.dumps(spec, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def _where(args: argparse.Namespace) -> str:
    return f"socket fd {args.fd}" if args.fd is not None else f"http://{args.host}:{args.port}"


def _redact(url: str) -> str:
    """The URL without a password, for the log."""
    import re

    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", url)


def _serve_workers(args: argparse.Namespace, url: str) -> int:
    """``serve --workers N``: N processes, one SO_REUSEPORT socket each (supervisor.py)."""
    if url.startswith("sqlite") and ":memory:" in url:
        print("error: several workers need one database; an in-memory SQLite one is per process",
              file=sys.stderr)
        return 2
    print(f"Madoguchi central server on {_where(args)}, {args.workers} worker processes,"
          f" database {_redact(url)}", flush=True)
    if url.startswith("sqlite"):
        print("note: SQLite takes one writer at a time; several workers are for PostgreSQL (docs/server.md)",
              file=sys.stderr, flush=True)
    # Migrate once here, before any worker exists. Each worker's create_app() migrates
    # too and then finds nothing to do; concurrent migrators would also be safe (an
    # advisory lock on PostgreSQL, BEGIN IMMEDIATE on SQLite), but N processes racing
    # for that lock at every start is pointless, and a broken database URL fails here,
    # once, with its own error instead of N worker tracebacks.
    db = Database(url)
    try:
        migrate(db)
    finally:
        db.close()
    from .supervisor import serve_workers

    return serve_workers(url, host=args.host, port=args.port, workers=args.workers, grace_s=GRACE_S)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m sync.server", description="Madoguchi central server")
    p.add_argument("--db", help=f"database URL (sqlite:///path or postgresql://...); default ${DB_URL_ENV}"
                   " or the embedded SQLite file")
    sub = p.add_subparsers(dest="command")
    s = sub.add_parser("serve", help="run the HTTP API (the default)")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8600)
    s.add_argument("--workers", type=int, default=1, help="worker processes (they share the database)")
    s.add_argument("--fd", type=int, help="serve on this already-bound listening socket (tests, socket activation)")
    # For the --workers supervisor: a pipe to write "ready" to once serving (supervisor.py).
    s.add_argument("--ready-fd", type=int, help=argparse.SUPPRESS)
    for name in ("enrol", "revoke"):
        e = sub.add_parser(name, help=f"{name} a kiosk or staff credential")
        e.add_argument("--tenant", required=True)
        who = e.add_mutually_exclusive_group(required=True)
        who.add_argument("--kiosk")
        who.add_argument("--staff")
    t = sub.add_parser("add-tenant", help="add a city, or point it at new city data")
    t.add_argument("--tenant", required=True)
    t.add_argument("--city-dir", help="facilities.csv + units.toml; default the sample city")
    sub.add_parser("migrate", help="bring the schema up to date")
    o = sub.add_parser("openapi", help="print (or write) the OpenAPI spec")
    o.add_argument("--out", type=Path)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # `python -m sync.server --db URL --port P` means serve: put the command first
    if not any(a in COMMANDS for a in argv):
        argv.insert(0, "serve")
    cmd_index = next(i for i, a in enumerate(argv) if a in COMMANDS)
    globals_, rest = argv[:cmd_index], argv[cmd_index:]
    db_pos = [a for a in rest if a == "--db"]
    if db_pos:  # allow --db after the command too
        i = rest.index("--db")
        globals_ += rest[i:i + 2]
        rest = rest[:i] + rest[i + 2:]
    args = _parser().parse_args(globals_ + rest)
    url = resolve_url(args.db)
    try:
        if args.command == "serve":
            if args.fd is None and args.workers > 1:
                return _serve_workers(args, url)
            import uvicorn

            if args.ready_fd is None:  # a supervised worker: the supervisor logs for it
                print(f"Madoguchi central server on {_where(args)}, database {_redact(url)}", flush=True)

            from .app import create_app
            from .heap import settle_heap

            if args.fd is not None:
                import socket

                # socket(fileno=) reads the real protocol from the descriptor; uvicorn's
                # own fromfd() leaves proto 0, so asyncio skips TCP_NODELAY on accepted
                # connections and small responses wait ~40 ms on delayed ACKs.
                sock = socket.socket(fileno=args.fd)
                config = uvicorn.Config(create_app(url), log_level="warning", access_log=False,
                                        timeout_graceful_shutdown=GRACE_S)
                settle_heap()
                if args.ready_fd is None:
                    uvicorn.Server(config).run(sockets=[sock])
                else:
                    from .supervisor import ReadyNotifyingServer, stop_with_supervisor

                    stop_with_supervisor()
                    ReadyNotifyingServer(config, args.ready_fd).run(sockets=[sock])
            else:
                app = create_app(url)
                settle_heap()
                uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False,
                            timeout_graceful_shutdown=GRACE_S)
            return 0
        if args.command == "openapi":
            text = openapi_json()
            if args.out:
                args.out.write_text(text, encoding="utf-8")
            else:
                sys.stdout.write(text)
            return 0
        db = Database(url)
        try:
            version = migrate(db)
            if args.command == "migrate":
                print(f"schema migrated to version {version} ({db.dialect})")
            elif args.command == "add-tenant":
                if args.city_dir:
                    city_dir = Path(args.city_dir)
                else:
                    from kiosk.opendata import sample_city_dir

                    city_dir = sample_city_dir()
                add_tenant(db, args.tenant, city_dir)
                print(f"tenant {args.tenant}: {Path(city_dir).resolve()}")
            elif args.command == "enrol":
                role, name = ("kiosk", args.kiosk) if args.kiosk else ("staff", args.staff)
                token = enrol(db, args.tenant, name, role)
                print(token)  # shown once; only its hash is stored
            elif args.command == "revoke":
                role, name = ("kiosk", args.kiosk) if args.kiosk else ("staff", args.staff)
                revoke(db, args.tenant, name, role)
                print(f"revoked {role} {name} of {args.tenant}")
        finally:
            db.close()
    except AdminError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
