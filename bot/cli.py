"""The command line, a thin layer over the library: `python -m bot COMMAND --help` explains each.

Exit codes: 0 success, 1 a problem found (broken knowledge, failed check, Telegram refused to
start the bot), 2 the command could not run as asked (bad arguments or settings, a missing
or rejected token), 130 stopped with Ctrl-C. Every problem a person must fix arrives here as
a `BotError` carrying its exit code; `main` prints it (no traceback) in one place.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.core.errors import BotError, ConfigError, KnowledgeError, UsageError
from bot.log_privacy import protect_root_handlers

if TYPE_CHECKING:
    from bot.core.conversation import Engine

DESCRIPTION = """\
The acupuncture clinic's assistant. It answers patients' questions about acupuncture for
back pain from the clinic's own page, routes emergencies to urgent care, and hands off to
booking.

common commands:
  .venv/bin/python -m bot chat            talk to it in this terminal (no Telegram needed)
  .venv/bin/python -m bot chat --record   the same, recording a rehearsal for `report --rehearsal`
  .venv/bin/python -m bot check           check the answers in knowledge/ after editing them
  .venv/bin/python -m bot run             serve Telegram (needs TELEGRAM_BOT_TOKEN)
  .venv/bin/python -m bot report          what patients asked that the bot could not answer

(`make check` and `make run` do the same, building .venv first when it is missing.)
"""


def _knowledge_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--knowledge",
        metavar="DIR",
        type=Path,
        help="the knowledge folder to use (default: KNOWLEDGE_DIR or ./knowledge)",
    )


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings.from_env()
    knowledge = getattr(args, "knowledge", None)
    if knowledge is not None:
        from dataclasses import replace

        settings = replace(settings, knowledge_dir=knowledge)
    return settings


def _from_here(path: Path) -> Path:
    """`path` relative to the current folder when it lies under it: the short name people type."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


def _engine(args: argparse.Namespace) -> Engine:
    from bot.core.conversation import Engine  # imported here to keep --help fast

    return Engine.from_directory(_settings(args).knowledge_dir)


def cmd_check(args: argparse.Namespace) -> int:
    """Validate the knowledge folder and print every problem."""
    from bot.core.loader import advice, load_knowledge

    directory = _from_here(_settings(args).knowledge_dir)  # `knowledge/topics/cost.yaml:25`
    try:
        knowledge = load_knowledge(directory)
    except KnowledgeError as exc:
        print(exc.report())
        return exc.exit_code
    for note in advice(knowledge):
        print(f"note: {directory / 'clinic.yaml'}: {note}")
    n_phrasings = sum(len(t.phrasings) for t in knowledge.topics)
    print(
        f"OK: {directory} has {len(knowledge.topics)} topics, {n_phrasings} phrasings,"
        f" {len(knowledge.red_flags)} red flags, {len(knowledge.smalltalk)} smalltalk intents"
        f" and {len(knowledge.gaps)} known gaps; no problems found."
    )
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    """Answer one question, or one per line of standard input."""
    engine = _engine(args)

    def answer(question: str) -> str:
        if args.explain:  # why it was (not) urgent; on stderr under --json, which stays one line
            print(engine.triage.explain(question), file=sys.stderr if args.json else sys.stdout)
        if args.json:
            return json.dumps(engine.respond(question).to_json(), ensure_ascii=False)
        from bot.core.markup import to_plain

        reply = engine.respond(question)
        return f"[{reply.kind.value} {reply.topic_id or ''} {reply.score}]\n{to_plain(reply.text)}"

    if args.question:
        print(answer(" ".join(args.question)), flush=True)
        return 0
    for line in sys.stdin:
        print(answer(line.rstrip("\r\n")), flush=True)
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    """A conversation in the terminal, following knowledge edits as the Telegram bot does."""
    from bot.adapters.terminal import run_terminal_chat

    return run_terminal_chat(_settings(args), record=args.record)


def cmd_start(args: argparse.Namespace) -> int:
    """`make run`: serve Telegram when a token is set (environment or .env), else chat here."""
    if _settings(args).telegram_token:
        return cmd_run(args)
    print(
        "No TELEGRAM_BOT_TOKEN set (environment or .env): opening the terminal chat instead.\n",
        file=sys.stderr,
    )
    args.record = False
    return cmd_chat(args)


def cmd_eval(args: argparse.Namespace) -> int:
    """Score the engine on a labelled file."""
    from bot.evaluation import evaluate, format_report, load_labelled

    engine = _engine(args)
    try:
        items = load_labelled(args.file)  # a malformed line raises EvalFileError (a UsageError)
    except OSError as exc:
        raise UsageError(f"cannot read {args.file}: {exc.strerror}") from None
    result = evaluate(engine, items)
    if args.json:
        print(json.dumps(result.metrics()))
    else:
        print(format_report(result))
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Serve Telegram."""
    settings = _settings(args)
    if not settings.telegram_token:
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN is not set. Get a token from @BotFather and run"
            " `TELEGRAM_BOT_TOKEN=... make run` (or put it in .env). Without a token,"
            " `make run` opens the terminal chat instead."
        )
    from bot.adapters.telegram import serve

    return serve(settings)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=".venv/bin/python -m bot",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser(
        "run",
        help="serve Telegram (polling, or a webhook when WEBHOOK_URL is set)",
        description="Serve the bot on Telegram. Needs TELEGRAM_BOT_TOKEN; by default it polls"
        " Telegram for messages, and with WEBHOOK_URL and WEBHOOK_SECRET set it runs a webhook"
        " server instead. See the README's configuration table.",
    )
    _knowledge_arg(p)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser(
        "chat",
        help="talk to the assistant in this terminal",
        description="A conversation in the terminal on the same engine as Telegram, with the"
        " same commands (/help lists them). Buttons appear as numbers: type the number to"
        " press one. /quit leaves. Edits to the knowledge folder are picked up within a few"
        " seconds, as on Telegram; a broken edit is reported here and the last good version"
        " keeps answering. With piped input it prints each reply and no prompts.",
    )
    p.add_argument(
        "--record",
        action="store_true",
        help="record this chat like the live bot does, in the rehearsal database"
        " (REHEARSAL_DATABASE_PATH or data/rehearsal.sqlite3), for `report --rehearsal`",
    )
    _knowledge_arg(p)
    p.set_defaults(func=cmd_chat)

    p = sub.add_parser(
        "start",
        help="what `make run` does: serve Telegram if a token is set, else the terminal chat",
        description="Serve Telegram when TELEGRAM_BOT_TOKEN is set (in the environment or in"
        " .env, `export` lines included); otherwise open the terminal chat.",
    )
    _knowledge_arg(p)
    p.set_defaults(func=cmd_start)

    p = sub.add_parser(
        "ask",
        help="answer questions (one argument, or one per line of standard input)",
        description="Answer a question given as arguments, or each line of standard input."
        " With --json prints one JSON object per question on one line:"
        ' {"kind": ..., "id": ..., "score": ..., "suggestions": [...]}',
    )
    p.add_argument("question", nargs="*", help="the question (omit to read standard input)")
    p.add_argument("--json", action="store_true", help="print machine-readable JSON lines")
    p.add_argument(
        "--explain",
        action="store_true",
        help="also print each red flag found and why it made the message urgent or not",
    )
    _knowledge_arg(p)
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser(
        "check",
        help="check the knowledge folder for mistakes",
        description="Check every file in the knowledge folder and list each problem as"
        " file:line: what is wrong - how to fix it. Exits 1 when there are problems.",
    )
    _knowledge_arg(p)
    p.set_defaults(func=cmd_check)

    p = sub.add_parser(
        "eval",
        help="score the answers against a labelled file of questions",
        description='Score the assistant on a JSONL file of {"q": question, "accept": [outcomes]}'
        " lines (the format of tests/data/regression.jsonl): how many are right, wrong answers,"
        " urgent recall, a per-topic table and every miss.",
    )
    p.add_argument("file", type=Path, help="the labelled .jsonl file")
    p.add_argument("--json", action="store_true", help="print only the metrics, as JSON")
    _knowledge_arg(p)
    p.set_defaults(func=cmd_eval)

    try:
        from bot.practitioner.command import add_report_command
    except ImportError:  # pragma: no cover - the report module is optional while developing
        pass
    else:
        add_report_command(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    protect_root_handlers()  # no patient's words or ids in any log line, whatever logs it
    try:
        code: int = args.func(args)
    except BotError as exc:  # the one place problems become messages and exit codes
        print(exc.describe(), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    return code
