"""`python -m sandbox --port 8081`: serve the Bot API sandbox and its chat page."""

from __future__ import annotations

import argparse
import asyncio
import logging

from .limits import Limits
from .server import run_sandbox
from .state import DEFAULT_TOKEN


async def serve(args: argparse.Namespace) -> None:
    limits = Limits(enabled=not args.no_limits)
    async with run_sandbox(
        host=args.host, port=args.port, token=args.token, limits=limits
    ) as sandbox:
        print(
            f"Foorumi Bot API sandbox (not Telegram)\n"
            f"  chat page:   {sandbox.url}/\n"
            f"  BOT_API_URL={sandbox.url}\n"
            f"  BOT_TOKEN={sandbox.token}",
            flush=True,
        )
        await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--no-limits", action="store_true", help="disable Telegram's flood limits")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    try:
        asyncio.run(serve(args))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
