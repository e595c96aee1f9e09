"""`foorumi demo` as someone trying Foorumi would run it: a real process, a real chat page."""
from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest
from typer.testing import CliRunner

from foorumi.cli import app as cli
from foorumi.cli import demo as demo_cli
from foorumi.cli import run as _run_command  # noqa: F401  (registers `foorumi run`)
from sandbox import SandboxClient
from tests.e2e.conftest import PEOPLE, free_port

FOORUMI = Path(sys.executable).with_name("foorumi")
PAGE_LINE = re.compile(r"^Open the chat page: (http://127\.0\.0\.1:\d+/)$")
TIMEOUT = 30


def shell_environment() -> dict[str, str]:
    """The developer's environment without the bot's own settings."""
    return {key: value for key, value in os.environ.items()
            if not key.startswith(("BOT_", "DATABASE_", "WEBHOOK_", "REDIS_", "ADMIN_", "STAFF_"))}


def test_demo_help():
    result = subprocess.run([str(FOORUMI), "demo", "--help"], env=shell_environment(),
                            capture_output=True, text=True, timeout=TIMEOUT)
    assert result.returncode == 0, result.stderr
    for option in ("--port", "--host", "--database-url", "8081", "127.0.0.1"):
        assert option in result.stdout


def test_run_without_a_token_starts_the_demo_where_it_is_told(monkeypatch):
    started = []
    monkeypatch.setattr(demo_cli, "start", lambda host, port: started.append((host, port)))
    monkeypatch.delenv("BOT_TOKEN", raising=False)

    default = CliRunner().invoke(cli, ["run"])
    elsewhere = CliRunner().invoke(cli, ["run", "--port", "8190", "--host", "127.0.0.2"])

    assert default.exit_code == elsewhere.exit_code == 0, default.output + elsewhere.output
    assert default.output.startswith("BOT_TOKEN is not set: starting the demo instead")
    assert started == [("127.0.0.1", 8081), ("127.0.0.2", 8190)]


async def read_page_address(lines: asyncio.StreamReader) -> str:
    while line := await lines.readline():
        if found := PAGE_LINE.match(line.decode().rstrip("\n")):
            return found.group(1)
    raise AssertionError("the demo ended without printing the page's address")


@pytest.mark.asyncio
async def test_demo_serves_the_chat_page_and_the_bot_answers(tmp_path):
    port = free_port()
    with (tmp_path / "demo.log").open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            str(FOORUMI), "demo", "--port", str(port), cwd=tmp_path, env=shell_environment(),
            stdout=asyncio.subprocess.PIPE, stderr=log,
        )
    try:
        address = await asyncio.wait_for(read_page_address(process.stdout), TIMEOUT)
        assert address == f"http://127.0.0.1:{port}/"

        async with aiohttp.ClientSession() as session:
            async with session.get(address) as page:
                assert page.status == 200 and "text/html" in page.content_type
            async with session.get(f"{address}sandbox/api/info") as info:
                assert (await info.json())["bot"]["username"] == "foorumi_sandbox_bot"

        async with SandboxClient(address) as client:
            sent = await client.send_text(PEOPLE.aino, "/start")
            reply = await client.wait_for_reply(PEOPLE.aino, sent["seq"], timeout=TIMEOUT)
        assert reply["text"].startswith("👋 Tervetuloa Foorumiin")
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)  # Ctrl+C
        rest = await asyncio.wait_for(process.stdout.read(), TIMEOUT)
        await asyncio.wait_for(process.wait(), TIMEOUT)

    assert process.returncode == 0, (tmp_path / "demo.log").read_text()
    assert rest.decode().endswith("demo stopped\n")
    assert (tmp_path / "foorumi-demo.db").exists()
