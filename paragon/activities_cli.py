"""The activities commands: `paragon contests close` (run daily, like expire): freeze the results of the
contests whose last day is over and credit their prizes, once."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from claims.settings import Settings


def _cmd_contests_close(args: argparse.Namespace, settings: Settings) -> int:
    from claims.db.engine import transaction
    from claims.runtime import build_runtime
    from claims.services.contests import close_contest, close_due

    runtime = build_runtime(settings)
    if args.contest is not None:  # one contest, by hand; --force before its last day is over
        with transaction(runtime.sessions) as session:
            frozen = close_contest(session, args.contest, datetime.now(UTC), force=args.force)
        print(f"contest {args.contest}: {frozen} places frozen" if frozen else f"contest {args.contest}: closed before")
        return 0
    closed = close_due(runtime.sessions)
    for contest_id, frozen in closed:
        print(f"contest {contest_id}: {frozen} places frozen, prizes credited")
    print(f"closed {len(closed)} contests")
    return 0


def add_commands(sub) -> None:
    contests = sub.add_parser("contests", help="contests: `close` freezes the results of ended ones (cron it daily)")
    actions = contests.add_subparsers(dest="action", required=True)
    close = actions.add_parser("close", help="freeze the results and credit the prizes of contests that ended")
    close.add_argument("--contest", type=int, default=None, help="close only this contest id")
    close.add_argument("--force", action="store_true", help="with --contest: close before its last day is over")
    close.set_defaults(func=_cmd_contests_close)
