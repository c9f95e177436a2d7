"""`python -m newsroom_demo`: serve the demo portal (the `newsroom portal` command does the same)."""

from __future__ import annotations

import argparse

from newsroom_demo.server import serve


def main(argv: list[str] | None = None) -> None:
    """Parse arguments and serve until Ctrl-C."""
    parser = argparse.ArgumentParser(prog="python -m newsroom_demo", description=__doc__)
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--day", type=int, default=1)
    parser.add_argument("--new-articles-per-day", type=int, default=0)
    parser.add_argument("--no-bad-pages", action="store_true", help="leave out the /kaputt/ robustness pages")
    parser.add_argument("--flaky-pages", action="store_true", help="add an article that answers 500 once")
    args = parser.parse_args(argv)
    serve(
        args.port,
        articles=args.articles,
        seed=args.seed,
        day=args.day,
        host=args.host,
        new_articles_per_day=args.new_articles_per_day,
        bad_pages=not args.no_bad_pages,
        flaky_pages=args.flaky_pages,
    )


if __name__ == "__main__":
    main()
