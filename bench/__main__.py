"""`python -m bench [engine|telegram|all]`: run benchmarks and record them in RESULTS.md."""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    which = argv[0] if argv else "all"
    if which not in ("engine", "telegram", "all"):
        print("usage: python -m bench [engine|telegram|all]", file=sys.stderr)
        return 2
    if which in ("engine", "all"):
        from bench import engine_bench

        engine_bench.main()
    if which in ("telegram", "all"):
        try:
            from bench import telegram_bench
        except ImportError as exc:
            print(f"telegram benchmark not available: {exc}", file=sys.stderr)
        else:
            result = telegram_bench.main()
            if isinstance(result, int) and result:
                return result
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
