"""The `paragon` command."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

from claims.settings import Settings

log = logging.getLogger("paragon")


def _cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    from claims.db.engine import make_engine
    from claims.db.migrate import upgrade

    upgrade(make_engine(settings.database_url))
    print("database is up to date")
    return 0


def _cmd_seed(args: argparse.Namespace, settings: Settings) -> int:
    from claims.db.engine import transaction
    from claims.runtime import build_runtime
    from claims.services.programme import load_programme

    runtime = build_runtime(settings)
    with transaction(runtime.sessions) as session:
        counts = load_programme(session, json.loads(Path(args.file).read_text(encoding="utf-8")))
    print(json.dumps(counts))
    return 0


def _cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    from paragon.worker import run_worker

    run_worker(settings, tuple(args.queues), burst=args.burst)
    return 0


def _cmd_sweep(args: argparse.Namespace, settings: Settings) -> int:
    from claims.runtime import build_runtime
    from workers.queues import ClaimQueue, connect_redis
    from workers.sweeper import sweep

    runtime = build_runtime(settings)
    queue = ClaimQueue(connect_redis(settings.redis_url), settings.job_timeout_seconds)
    while True:
        print(f"queued {sweep(runtime.sessions, queue)} stuck claims", flush=True)
        if not args.every:
            return 0
        time.sleep(args.every)


def _cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from paragon.web import create_app

    create_app().run(host=args.host, port=args.port, threaded=True)
    return 0


def _cmd_token(args: argparse.Namespace, settings: Settings) -> int:
    from sqlalchemy import select

    from claims.db.engine import transaction
    from claims.db.models import User
    from claims.runtime import build_runtime
    from claims.services.accounts import issue_api_token, revoke_api_tokens

    with transaction(build_runtime(settings).sessions) as session:
        user = session.scalar(select(User).where(User.email == args.email.lower()))
        if user is None:
            print(f"no user {args.email}", file=sys.stderr)
            return 2
        if args.revoke:
            print(f"revoked {revoke_api_tokens(session, user)} tokens")
        else:
            print(issue_api_token(session, user, label=args.label))
    return 0


def _cmd_extract(args: argparse.Namespace, settings: Settings) -> int:
    from ocr import extract_file_result
    from workers.runtime import reader_config

    config = reader_config(settings)
    for name in args.files:
        path = Path(name)
        data = path.read_bytes() if path.is_file() else b""
        result = extract_file_result(data, str(path), config)
        print(json.dumps(result, ensure_ascii=False, indent=None if args.json else 2))
    return 0


def _cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from paragon.demo import run_demo

    return run_demo(settings, serve=not args.no_serve, host=args.host, port=args.port, workers=args.workers)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="paragon", description="Purchase-claim verification for loyalty programmes.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="run the whole pipeline on the bundled samples, then serve the UI")
    demo.add_argument("--no-serve", action="store_true", help="exit after the samples are processed")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--workers", type=int, default=2, help="rq worker processes to start")
    demo.set_defaults(func=_cmd_demo)
    worker = sub.add_parser("worker", help="run an rq worker (start as many as you have cores)")
    worker.add_argument("queues", nargs="*", default=["ocr", "default"])
    worker.add_argument("--burst", action="store_true", help="exit when the queues are empty")
    worker.set_defaults(func=_cmd_worker)
    serve = sub.add_parser("serve", help="serve the review UI and the API (development server)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(func=_cmd_serve)
    sub.add_parser("migrate", help="create or upgrade the database schema").set_defaults(func=_cmd_migrate)
    seed = sub.add_parser("seed", help="load a programme description (JSON) into the database")
    seed.add_argument("file", nargs="?", default=str(Path(__file__).resolve().parent.parent / "fixtures" / "demo_programme.json"))
    seed.set_defaults(func=_cmd_seed)
    sweep = sub.add_parser("sweep", help="queue again the claims whose jobs were lost")
    sweep.add_argument("--every", type=float, default=0, help="repeat every N seconds")
    sweep.set_defaults(func=_cmd_sweep)
    token = sub.add_parser("token", help="issue (or --revoke) an API token for a user")
    token.add_argument("email")
    token.add_argument("--label", default="cli")
    token.add_argument("--revoke", action="store_true")
    token.set_defaults(func=_cmd_token)
    extract = sub.add_parser("extract", help="read documents and print the extracted fields as JSON")
    extract.add_argument("files", nargs="+")
    extract.add_argument("--json", action="store_true", help="one JSON object per line")
    extract.set_defaults(func=_cmd_extract)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not args.verbose:
        logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        settings = Settings.from_env()
        return args.func(args, settings)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a clear one-line error for the operator, details only with -v
        if args.verbose:
            raise
        print(f"paragon {args.command}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
