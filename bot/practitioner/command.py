"""`python -m bot report`: the report on the command line (a thin layer over report.py)."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from bot.core.errors import KnowledgeError, UsageError
from bot.core.model import Knowledge
from bot.practitioner.render_html import render_html
from bot.practitioner.render_json import render_json
from bot.practitioner.render_text import render_text
from bot.practitioner.report import (
    DEFAULT_SINCE_DAYS,
    build_report,
    missing_database_report,
)
from bot.store import SQLiteStore

RENDERERS = {"text": render_text, "json": render_json, "html": render_html}


def load_knowledge_for_report(directory: Path) -> tuple[Knowledge | None, str | None]:
    from bot.core.loader import load_knowledge

    try:
        return load_knowledge(directory), None
    except KnowledgeError as exc:
        return None, (
            f"the knowledge in {directory} has {len(exc.problems)} problem(s), so questions"
            " are grouped but no topics are suggested; run `python -m bot check`."
        )
    except OSError as exc:
        return None, f"could not read the knowledge in {directory} ({exc}); no suggestions."


def run_report(args: argparse.Namespace) -> int:
    """`python -m bot report`: build the report and print it or write it to --out."""
    from bot.config import Settings

    settings = Settings.from_env()
    if args.rehearsal and args.database:
        raise UsageError("give --rehearsal or --database, not both")
    database = settings.rehearsal_database_path if args.rehearsal else settings.database_path
    database = Path(args.database) if args.database else database
    knowledge_dir = Path(args.knowledge) if args.knowledge else settings.knowledge_dir
    since = args.since
    if since < 1:
        raise UsageError("--since must be at least 1 day")
    if not database.exists():
        report = missing_database_report(database, since)
    else:
        knowledge, note = load_knowledge_for_report(knowledge_dir)
        store = SQLiteStore(database, chat_keys=None, retention_days=settings.retention_days)
        try:  # a StoreError is a BotError: the command line prints it and exits 1
            report = build_report(store, since, knowledge, knowledge_note=note)
        finally:
            store.close()
    output = RENDERERS[args.format](report)
    if args.out:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        write_private(out, output.encode("utf-8"))
        print(
            f"Report written to {out} (read from {report.database})"
            + (f" ({report.empty_reason})" if report.empty_reason else "")
        )
    else:
        sys.stdout.write(output)
    return 0


def add_report_command(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    """Add `report` to the command line; its handler is `run_report(args) -> int`."""
    parser = subparsers.add_parser(
        "report",
        help="what patients asked that went unanswered, and how the answers do",
        description=(
            "Read what the bot recorded and show: the questions it could not answer, grouped"
            " by similarity with the topic each resembles and the YAML line to paste so it"
            " is answered next time (or a stub for a new topic); how often each topic was"
            " answered and whether patients found it helpful; the urgent count; and the"
            " outcomes per day. --format html writes one page to open in a browser."
        ),
        epilog="example: python -m bot report --since 7 --format html --out report.html",
    )
    parser.add_argument(
        "--since",
        type=int,
        default=DEFAULT_SINCE_DAYS,
        metavar="DAYS",
        help=f"how many days back to look, today included (default {DEFAULT_SINCE_DAYS})",
    )
    parser.add_argument(
        "--format",
        choices=sorted(RENDERERS),
        default="text",
        help="text (default) for the terminal, json for programs, html for a browser",
    )
    parser.add_argument("--out", metavar="FILE", help="write to FILE instead of the screen")
    parser.add_argument(
        "--database",
        metavar="PATH",
        help="the database to read (default: DATABASE_PATH or data/clinic-bot.sqlite3)",
    )
    parser.add_argument(
        "--rehearsal",
        action="store_true",
        help="read the rehearsal database that `python -m bot chat --record` writes"
        " (REHEARSAL_DATABASE_PATH or data/rehearsal.sqlite3)",
    )
    parser.add_argument(
        "--knowledge",
        metavar="DIR",
        help="the knowledge folder to compare with (default: KNOWLEDGE_DIR or ./knowledge)",
    )
    parser.set_defaults(func=run_report)
    return parser


def write_private(path: Path, data: bytes) -> None:
    """Write `path` readable by its owner only (0600, whatever the umask): a report holds
    patients' questions. Written beside and renamed in, so an older copy of any mode is
    replaced whole and never left half-written."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
