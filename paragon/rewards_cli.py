"""The rewards commands: `paragon expire` (run daily, like retention) and `paragon tax YEAR` (CSV)."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from claims.settings import Settings


def _cmd_expire(args: argparse.Namespace, settings: Settings) -> int:
    from claims.db.after_commit import install_handler
    from claims.db.engine import transaction
    from claims.runtime import build_runtime
    from claims.services.expiry import WARNING_TOPIC, ExpiryRule, run_expiry
    from claims.services.reward_mail import expiry_message
    from workers.notify import deliver

    rule = ExpiryRule.parse(settings.points_expiry)
    runtime = build_runtime(settings)
    warnings: list[tuple] = []
    install_handler(runtime.sessions, WARNING_TOPIC, lambda *warning: warnings.append(warning))
    today = date.fromisoformat(args.today) if args.today else None
    with transaction(runtime.sessions) as session:
        run = run_expiry(session, rule, today)
    for participant_id, on, points in warnings:  # committed: each warning is recorded once, then sent
        with runtime.sessions() as session:
            message = expiry_message(session, participant_id, on, points)
        if message is not None:
            deliver(message, settings)
    if not rule.active:
        print("POINTS_EXPIRY is never: no points expire")
    print(f"expired {run.points} points of {run.participants} participants; warned {run.warned}")
    return 0


def _cmd_tax(args: argparse.Namespace, settings: Settings) -> int:
    from claims.runtime import build_runtime
    from claims.services.reward_reports import tax_csv

    runtime = build_runtime(settings)
    with runtime.sessions() as session:
        sys.stdout.write(tax_csv(session, args.year))
    return 0


def add_commands(sub) -> None:
    expire = sub.add_parser("expire", help="write the points expiry entries due today, once (cron it daily)")
    expire.add_argument("--today", default=None, help="YYYY-MM-DD instead of today (a catch-up run)")
    expire.set_defaults(func=_cmd_expire)
    tax = sub.add_parser("tax", help="per participant, the PLN value of rewards ordered in YEAR, as CSV")
    tax.add_argument("year", type=int)
    tax.set_defaults(func=_cmd_tax)
