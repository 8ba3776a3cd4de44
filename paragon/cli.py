"""The `paragon` command."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path

from claims.settings import Settings
from paragon.activities_cli import add_commands as add_activities_commands
from paragon.rewards_cli import add_commands as add_rewards_commands

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
    from paragon.priority import yield_to_the_web

    yield_to_the_web(settings)  # before the reader's imports: seconds of CPU the web app must not wait for
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
    from paragon.serve import serve

    serve(args.host, args.port, dev=args.dev, workers=args.workers, threads=args.threads)
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


def _cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from claims.db.engine import transaction
    from claims.runtime import build_runtime
    from claims.services.imports import ImportRejectedError, import_csv

    text = Path(args.file).read_bytes().decode("utf-8-sig")
    try:
        with transaction(build_runtime(settings).sessions) as session:
            report = import_csv(session, args.kind, text)
    except ImportRejectedError as rejected:
        for error in rejected.report.errors:
            print(f"{args.file}:{error.line}: {error.column or 'row'}: {error.message}", file=sys.stderr)
        print(f"{len(rejected.report.errors)} errors; nothing was imported", file=sys.stderr)
        return 2
    print(f"{report.kind}: {report.rows} rows, {report.created} created, {report.updated} updated")
    return 0


def _cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from claims.runtime import build_runtime
    from claims.services.imports import export_csv

    with build_runtime(settings).sessions() as session:
        sys.stdout.write(export_csv(session, args.kind))
    return 0


def _cmd_privacy(args: argparse.Namespace, settings: Settings) -> int:
    from sqlalchemy import select

    from claims.db.engine import transaction
    from claims.db.models import User
    from claims.runtime import build_runtime
    from claims.services.privacy import erase_participant, export_participant

    runtime = build_runtime(settings)
    with transaction(runtime.sessions) as session:
        user = session.scalar(select(User).where(User.email == args.email.strip().lower()))
        if user is None:
            print(f"no user {args.email}", file=sys.stderr)
            return 2
        if args.action == "export":
            Path(args.out).write_bytes(export_participant(session, runtime.blobs, user))
            print(f"wrote {args.out}")
        elif not args.yes:
            print("erasure cannot be undone; repeat with --yes", file=sys.stderr)
            return 2
        else:
            erase_participant(session, runtime.blobs, user, actor_user_id=None)
            print(f"erased the personal data and documents of {args.email}")
    return 0


def _cmd_retention(args: argparse.Namespace, settings: Settings) -> int:
    from claims.db.engine import transaction
    from claims.runtime import build_runtime
    from claims.services.privacy import apply_retention

    runtime = build_runtime(settings)
    days = args.days if args.days is not None else settings.retention_days
    total = 0
    while True:  # batches of 10,000 documents
        with transaction(runtime.sessions) as session:
            count = apply_retention(session, runtime.blobs, days)
        total += count
        if count == 0:
            break
    print(f"deleted {total} documents of claims final for more than {days} days")
    return 0


def _cmd_extract(args: argparse.Namespace, settings: Settings) -> int:
    from ocr import extract_file_result
    from workers.runtime import reader_config

    config = reader_config(settings)
    failed = 0
    for name in args.files:
        path = Path(name)
        if path.is_file():
            result = extract_file_result(path.read_bytes(), str(path), config)
        else:  # said as it is: not "the file is empty"
            result = {"file": str(path), "error": {"code": "not_found" if not path.exists() else "not_a_file",
                      "message": f"{path}: {'no such file' if not path.exists() else 'not a file'}"}}
        failed += result.get("error") is not None
        print(json.dumps(result, ensure_ascii=False, indent=None if args.json else 2))
    if failed:
        print(f"paragon extract: {failed} of {len(args.files)} files failed", file=sys.stderr)
    return 1 if failed else 0


def _cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from paragon.evaluate import evaluate, format_report, load_documents, with_reader_options
    from workers.runtime import reader_config

    fields = [f.strip() for f in args.fields.split(",") if f.strip()] if args.fields else None
    try:
        config = with_reader_options(reader_config(settings), args.reader)
    except ValueError as exc:
        print(f"paragon eval: {exc}", file=sys.stderr)
        return 2
    documents = load_documents(Path(args.dir), args.format, args.limit, fields)
    report = evaluate(documents, config, jobs=max(1, args.jobs), progress=not args.quiet)
    if args.json:
        data = report.to_dict()
        if not args.failures:
            data.pop("failures")
        print(json.dumps({"dataset": args.dir, "format": args.format, **data}, ensure_ascii=False, indent=2))
    else:
        print(format_report(report, show_failures=args.failures))
    return 0


def _cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from paragon.demo import run_demo

    return run_demo(settings, serve=not args.no_serve, host=args.host, port=args.port, workers=args.workers)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="paragon", description="Purchase-claim verification for loyalty programmes.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    sub = parser.add_subparsers(dest="command", required=True)
    _add_running_commands(sub)
    _add_data_commands(sub)
    add_rewards_commands(sub)
    add_activities_commands(sub)
    _add_reading_commands(sub)
    return parser


def _add_running_commands(sub) -> None:
    """The processes: the demo, workers, the web server, and the sweep."""
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
    serve = sub.add_parser("serve", help="serve the review UI and the API (gunicorn; --dev: Flask's reloader)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=None, help="processes; default: one per core, at least 2")
    serve.add_argument("--threads", type=int, default=None, help="threads per process; default 4")
    serve.add_argument("--dev", action="store_true", help="Flask's development server with the reloader")
    serve.set_defaults(func=_cmd_serve)
    sweep = sub.add_parser("sweep", help="queue again the claims whose jobs were lost")
    sweep.add_argument("--every", type=float, default=0, help="repeat every N seconds")
    sweep.set_defaults(func=_cmd_sweep)


def _add_data_commands(sub) -> None:
    """The database and what is in it: schema, programme, tokens, CSV, RODO, retention."""
    sub.add_parser("migrate", help="create or upgrade the database schema").set_defaults(func=_cmd_migrate)
    seed = sub.add_parser("seed", help="load a programme description (JSON) into the database")
    demo_programme = Path(__file__).resolve().parent.parent / "fixtures" / "demo_programme.json"
    seed.add_argument("file", nargs="?", default=str(demo_programme))
    seed.set_defaults(func=_cmd_seed)
    token = sub.add_parser("token", help="issue (or --revoke) an API token for a user")
    token.add_argument("email")
    token.add_argument("--label", default="cli")
    token.add_argument("--revoke", action="store_true")
    token.set_defaults(func=_cmd_token)
    kinds = ["catalogue", "partners", "codes", "rewards"]
    importer = sub.add_parser("import", help="import the catalogue, partners and outlets, or product codes (CSV)")
    importer.add_argument("kind", choices=kinds)
    importer.add_argument("file")
    importer.set_defaults(func=_cmd_import)
    exporter = sub.add_parser("export", help="export the catalogue, partners and outlets, or codes as CSV")
    exporter.add_argument("kind", choices=kinds)
    exporter.set_defaults(func=_cmd_export)
    privacy = sub.add_parser("privacy", help="a participant's data export (zip) or erasure (RODO/GDPR)")
    privacy.add_argument("action", choices=["export", "erase"])
    privacy.add_argument("email")
    privacy.add_argument("--out", default="export.zip", help="where export writes the zip")
    privacy.add_argument("--yes", action="store_true", help="confirm an erasure")
    privacy.set_defaults(func=_cmd_privacy)
    retention = sub.add_parser("retention", help="delete documents of claims final for RETENTION_DAYS (cron it)")
    retention.add_argument("--days", type=int, default=None)
    retention.set_defaults(func=_cmd_retention)


def _add_reading_commands(sub) -> None:
    """Reading documents outside the queue: extract and evaluate."""
    extract = sub.add_parser("extract", help="read documents and print the extracted fields as JSON")
    extract.add_argument("files", nargs="+")
    extract.add_argument("--json", action="store_true", help="one JSON object per line")
    extract.set_defaults(func=_cmd_extract)
    evaluation = sub.add_parser("eval", help="read a labelled set of documents and score the extracted fields")
    evaluation.add_argument("dir", help="the data set folder")
    evaluation.add_argument("--format", choices=("sroie", "paragon"), default="paragon",
                            help="sroie: img/ + key/; paragon: files + labels.json")
    evaluation.add_argument("--limit", type=int, default=None, help="only the first N documents")
    evaluation.add_argument("--jobs", type=int, default=1, help="worker processes (one tesseract thread each)")
    evaluation.add_argument("--fields", default=None, help="comma-separated fields to score (default: all labelled)")
    evaluation.add_argument("--json", action="store_true", help="print the scores as JSON")
    evaluation.add_argument("--failures", action="store_true", help="list the wrong fields per file")
    evaluation.add_argument("--quiet", action="store_true", help="no progress bar")
    evaluation.add_argument("--reader", action="append", default=[], metavar="NAME=VALUE",
                            help="override a reader setting for this run, e.g. dewarp=false (repeatable)")
    evaluation.set_defaults(func=_cmd_eval)


def main(argv: list[str] | None = None) -> int:
    # tesseract read in this process (extract, eval, demo) must use one OpenMP thread: set before it loads
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
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
