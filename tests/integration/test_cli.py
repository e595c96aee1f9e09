"""The `foorumi` console script, run as an operator would."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FOORUMI = Path(sys.executable).with_name("foorumi")


@pytest.fixture
def shell(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "DATABASE_", "ADMIN_", "TIMEZONE"))}
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path}/cli.db"

    def run(*args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(FOORUMI), *args], cwd=tmp_path, env={**env, **extra_env},
            capture_output=True, text=True, timeout=60,
        )

    return run


def test_help_lists_the_commands(shell):
    result = shell("--help")
    assert result.returncode == 0
    for command in ("run", "db", "staff", "areas"):
        assert f"│ {command} " in result.stdout


def test_bad_configuration_is_one_clear_line(shell):
    result = shell("run", TIMEZONE="Mars/Olympus")
    assert result.returncode == 2
    assert result.stderr == "error: TIMEZONE: unknown time zone 'Mars/Olympus' (e.g. Europe/Helsinki)\n"


@pytest.fixture
def invoke(tmp_path):
    """The same commands in-process (Typer's runner): a subprocess costs seconds of imports."""
    import foorumi.cli.areas
    import foorumi.cli.db
    import foorumi.cli.staff  # noqa: F401  (register the commands)
    from typer.testing import CliRunner

    from foorumi.cli import app

    runner = CliRunner()
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/cli.db", "ADMIN_IDS": "", "BOT_TOKEN": ""}

    def run(*args: str):
        return runner.invoke(app, list(args), env=env)

    return run


def test_schema_staff_and_areas_from_the_shell(invoke):
    assert invoke("db", "upgrade").stdout == "database is up to date\n"
    assert invoke("staff", "add", "1003", "moderator").stdout == "1003 is now moderator\n"
    assert invoke("staff", "add", "1003", "moderator").stdout == "1003 already was moderator\n"
    assert invoke("staff", "add", "1001", "admin").exit_code == 0
    listing = invoke("staff", "list").stdout.splitlines()
    assert [line.split("\t")[:2] for line in listing] == [["1001", "admin"], ["1003", "moderator"]]
    bad_role = invoke("staff", "add", "1003", "mayor")
    assert bad_role.exit_code == 2 and "mayor" in bad_role.stderr
    assert invoke("staff", "remove", "1003").stdout == "removed 1 role(s) from 1003\n"
    assert invoke("staff", "remove", "1003").exit_code == 2

    loaded = invoke("areas", "load", str(ROOT / "deploy" / "areas" / "mikkeli.yaml"))
    assert loaded.stdout == "loaded 21 areas\n"


def test_a_broken_area_file_is_refused(invoke, tmp_path):
    (tmp_path / "bad.yaml").write_text("areas:\n  - code: x\n    kind: planet\n", encoding="utf-8")
    invoke("db", "upgrade")
    result = invoke("areas", "load", str(tmp_path / "bad.yaml"))
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and "kind must be one of district, village, suburb" in result.stderr


def test_the_console_log_leaves_out_every_run_of_every_job():
    """APScheduler reports each run of the 3-second progress job at INFO: kept out of the console."""
    import logging

    from bot.config import load_settings
    from foorumi.cli import configure_logging

    configure_logging(load_settings(_env_file=None, log_level="INFO"))
    assert logging.getLogger("apscheduler.executors.default").getEffectiveLevel() == logging.WARNING
