"""deploy/: the container image, compose, systemd units, nginx and env.example, read as their tools
would read them (the image itself cannot be built on the development machine: no Docker daemon)."""
from __future__ import annotations

import configparser
import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from bot.config import Settings
from foorumi.app import SHUTDOWN_GRACE

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
BUILD_TOOLS = {"build-essential", "gcc", "g++", "make", "cc", "clang", "libc6-dev", "python3-dev", "pkg-config"}
SETTINGS = {name.upper() for name in Settings.model_fields}
TELEGRAM_NETWORKS = {"149.154.160.0/20", "91.108.4.0/22"}  # https://core.telegram.org/bots/webhooks
HARDENING = {"NoNewPrivileges": "true", "ProtectSystem": "strict", "ProtectHome": "true", "PrivateTmp": "true",
             "PrivateDevices": "true", "CapabilityBoundingSet": "", "RestrictSUIDSGID": "true"}


# ---- the container image ----------------------------------------------------------------------

def dockerfile_stages() -> list[list[tuple[str, str]]]:
    """(INSTRUCTION, arguments) per stage, continuation lines joined and comments dropped."""
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    stages: list[list[tuple[str, str]]] = []
    for instruction in re.split(r"(?<!\\)\n", "\n".join(lines)):
        instruction = re.sub(r"\\\n\s*", " ", instruction).strip()
        if not instruction:
            continue
        keyword, _, arguments = instruction.partition(" ")
        if keyword.upper() == "FROM":
            stages.append([])
        stages[-1].append((keyword.upper(), arguments.strip()))
    return stages


def arguments_of(stage: list[tuple[str, str]], keyword: str) -> list[str]:
    return [arguments for instruction, arguments in stage if instruction == keyword]


def test_the_image_is_multi_stage_on_python_3_11_slim():
    stages = dockerfile_stages()
    assert len(stages) >= 2
    assert all(stage[0][1].split()[0] == "python:3.11-slim" for stage in stages)


def test_the_final_stage_runs_as_an_unprivileged_user_with_no_build_tools():
    final = dockerfile_stages()[-1]
    [user] = arguments_of(final, "USER")
    assert user.split(":")[0] not in {"root", "0"}
    installed = " ".join(arguments_of(final, "RUN"))
    assert not {word for word in re.split(r"\s+", installed) if word in BUILD_TOOLS}
    assert "apt-get install" not in installed and "pip install" not in installed
    environment = " ".join(arguments_of(final, "ENV"))
    assert "PYTHONDONTWRITEBYTECODE=1" in environment and "PYTHONUNBUFFERED=1" in environment


def test_the_final_stage_checks_its_health_and_upgrades_the_schema_before_running():
    final = dockerfile_stages()[-1]
    [healthcheck] = arguments_of(final, "HEALTHCHECK")
    assert healthcheck.endswith('CMD ["foorumi", "healthcheck"]')
    [entrypoint] = arguments_of(final, "ENTRYPOINT")
    shell, flag, script, *_ = json.loads(entrypoint)
    assert (shell, flag) == ("/bin/sh", "-c")
    assert script.index("foorumi db upgrade &&") < script.index("exec foorumi run")
    assert arguments_of(final, "STOPSIGNAL") == ["SIGTERM"]


def test_everything_the_image_copies_from_the_repository_exists_and_every_package_is_copied():
    copied = []
    for stage in dockerfile_stages():
        for arguments in arguments_of(stage, "COPY"):
            if not arguments.startswith("--from"):
                copied += arguments.split()[:-1]
    assert copied and all((ROOT / path).exists() for path in copied), copied
    packages = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]["include"]
    assert {package.rstrip("*") for package in packages} | {"locales", "pyproject.toml", "README.md"} <= set(copied)


def test_the_build_context_leaves_out_secrets_databases_and_local_environments():
    ignored = set((ROOT / ".dockerignore").read_text(encoding="utf-8").split())
    assert {".env", ".git", ".venv", "**/*.db", "tests"} <= ignored


# ---- docker compose ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))


def seconds(duration: str) -> float:
    value, unit = re.fullmatch(r"(\d+)(s|m)", duration).groups()
    return int(value) * (60 if unit == "m" else 1)


def test_compose_runs_several_workers_on_postgresql_and_redis(compose):
    services = compose["services"]
    assert {"bot", "postgres", "redis", "nginx"} <= set(services)
    bot = services["bot"]
    assert bot["deploy"]["replicas"] >= 2
    assert bot["environment"]["DATABASE_URL"].startswith("postgresql+asyncpg://")
    assert bot["environment"]["REDIS_URL"].startswith("redis://redis:")
    assert bot["env_file"] == "../.env" and (DEPLOY / bot["build"]["context"] / bot["build"]["dockerfile"]).is_file()
    assert seconds(bot["stop_grace_period"]) > SHUTDOWN_GRACE
    assert services["postgres"]["volumes"] == ["postgres-data:/var/lib/postgresql/data"]
    assert services["nginx"]["profiles"] == ["proxy"]


def test_every_compose_service_has_a_health_check_and_waits_for_healthy_ones(compose):
    services = compose["services"]
    for name, service in services.items():
        check = service["healthcheck"]
        if check.get("disable"):  # only a one-shot that exits when done
            assert service["restart"] == "no", name
        else:
            assert check["test"][0] == "CMD", name
        for dependency, wait in service.get("depends_on", {}).items():
            expected = "service_completed_successfully" if services[dependency]["healthcheck"].get("disable") \
                else "service_healthy"
            assert wait == {"condition": expected}, (name, dependency)


def test_the_bots_environment_in_compose_is_made_of_settings(compose):
    for name in ("bot", "migrate"):
        assert set(compose["services"][name]["environment"]) <= SETTINGS


def test_what_compose_mounts_from_the_repository_exists(compose):
    for service in compose["services"].values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (DEPLOY / source).is_file(), source


# ---- systemd ----------------------------------------------------------------------------------

def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    parser.optionxform = str  # keys are case-sensitive
    parser.read(DEPLOY / name, encoding="utf-8")
    return parser


@pytest.mark.parametrize("name", ["foorumi.service", "foorumi@.service"])
def test_the_units_restart_on_failure_stop_gracefully_and_are_hardened(name):
    service = unit(name)["Service"]
    assert service["User"] != "root" and service["Restart"] == "on-failure"
    assert service["KillSignal"] == "SIGTERM" and float(service["TimeoutStopSec"]) > SHUTDOWN_GRACE
    assert {key: service.get(key) for key in HARDENING} == HARDENING
    assert service["ExecStart"].endswith("/opt/foorumi/.venv/bin/foorumi run")
    assert "foorumi db upgrade" in service["ExecStartPre"]


def test_each_worker_of_the_template_listens_where_nginx_looks():
    start = unit("foorumi@.service")["Service"]["ExecStart"]
    assert "WEBHOOK_LISTEN=127.0.0.1:80%i" in start
    upstream = (DEPLOY / "nginx" / "upstream.conf").read_text(encoding="utf-8")
    assert re.findall(r"server 127\.0\.0\.1:80(\d\d) ", upstream) == ["81", "82", "83"]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
@pytest.mark.parametrize("name", ["foorumi.service", "foorumi@.service"])
def test_systemd_accepts_the_units(name, tmp_path):
    # verify wants the programs to exist: this checkout's foorumi stands in for /opt/foorumi's
    text = (DEPLOY / name).read_text(encoding="utf-8")
    text = text.replace("/opt/foorumi/.venv/bin/foorumi", str(Path(sys.executable).with_name("foorumi")))
    path = tmp_path / name.replace("@.", "@81.")
    path.write_text(text, encoding="utf-8")
    result = subprocess.run(["systemd-analyze", "verify", "--man=no", str(path)],
                            capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stderr) == (0, "")


# ---- env.example ------------------------------------------------------------------------------

def test_env_example_documents_every_setting_and_nothing_else():
    documented = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", (DEPLOY / "env.example").read_text(encoding="utf-8"),
                                re.MULTILINE))
    assert SETTINGS - documented == set()
    assert documented - SETTINGS == {"POSTGRES_PASSWORD"}  # compose's own


# ---- nginx ------------------------------------------------------------------------------------

NGINX = (DEPLOY / "nginx" / "foorumi.conf").read_text(encoding="utf-8")


def test_nginx_lets_in_only_telegram_over_modern_tls_and_only_to_the_webhook():
    assert set(re.findall(r"^\s*allow (\S+);", NGINX, re.MULTILINE)) == TELEGRAM_NETWORKS
    assert "deny all;" in NGINX
    assert re.findall(r"ssl_protocols ([^;]+);", NGINX) == ["TLSv1.2 TLSv1.3"]
    assert re.findall(r"proxy_pass (\S+);", NGINX) == ["http://foorumi_workers"]
    assert re.search(r"location = /webhook \{[^}]*limit_except POST", NGINX)
    assert "client_max_body_size 10m;" in NGINX


def test_nginx_passes_a_dead_workers_requests_on_and_logs_no_query_body_or_secret():
    [next_upstream] = re.findall(r"proxy_next_upstream ([^;]+);", NGINX)
    assert {"error", "timeout"} <= set(next_upstream.split())
    assert "proxy_set_header X-Telegram-Bot-Api-Secret-Token $http_x_telegram_bot_api_secret_token;" in NGINX
    log_format = re.search(r"log_format foorumi_webhook ([^;]+);", NGINX).group(1)
    assert "$uri" in log_format
    for leak in ("$request_uri", "$request ", "$args", "$query_string", "$request_body", "$http_"):
        assert leak not in log_format
