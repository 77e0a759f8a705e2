"""`python -m bench [engine|telegram|all] [options]`: run benchmarks, record them in RESULTS.md.

Options after `telegram` go to the Telegram benchmark (`python -m bench telegram --help`);
`--no-write` is understood by both.
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    which = argv[0] if argv else "all"
    options = argv[1:]
    if which not in ("engine", "telegram", "all") or (
        which != "telegram" and set(options) - {"--no-write"}
    ):
        print("usage: python -m bench [engine|telegram|all] [--no-write]", file=sys.stderr)
        print("       python -m bench telegram [--rounds N] [--no-write] ...", file=sys.stderr)
        return 2
    if which in ("engine", "all"):
        from bench import engine_bench

        engine_bench.main(write="--no-write" not in options)
    if which in ("telegram", "all"):
        try:
            from bench import telegram_bench
        except ImportError as exc:
            print(f"telegram benchmark not available: {exc}", file=sys.stderr)
        else:
            result = telegram_bench.main(options)
            if isinstance(result, int) and result:
                return result
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
