"""deploy/nginx/ run by a real nginx (Debian's nginx-light; skipped where it is not installed):
Telegram's networks only, a dead worker's requests passed to a live one with the secret header,
nothing else proxied, 10 MB at most, and a log without query strings, bodies or the secret."""
from __future__ import annotations

import asyncio
import shutil
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from tests.e2e.conftest import free_port

pytestmark = pytest.mark.skipif(shutil.which("nginx") is None or shutil.which("openssl") is None,
                                reason="nginx or openssl is not installed (apt-get install nginx-light)")

NGINX_FOLDER = Path(__file__).resolve().parents[2] / "deploy" / "nginx"
SITE = (NGINX_FOLDER / "foorumi.conf").read_text(encoding="utf-8")
UPSTREAM = (NGINX_FOLDER / "upstream.conf").read_text(encoding="utf-8")
SECRET = "s3cret-Header-Value"


def configuration(folder: Path, site: str = SITE, upstream: str = UPSTREAM) -> Path:
    """An nginx.conf in `folder` that includes the site as Debian's does, with a throwaway
    certificate in place of the placeholders and the logs in `folder`."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=foorumi.example.fi", "-keyout", str(folder / "key.pem"),
                    "-out", str(folder / "cert.pem")], check=True, capture_output=True, timeout=60)
    site = (site.replace("/etc/letsencrypt/live/foorumi.example.fi/fullchain.pem", str(folder / "cert.pem"))
                .replace("/etc/letsencrypt/live/foorumi.example.fi/privkey.pem", str(folder / "key.pem"))
                .replace("/var/log/nginx/", f"{folder}/"))
    (folder / "foorumi").mkdir()
    (folder / "foorumi" / "upstream.conf").write_text(upstream, encoding="utf-8")
    (folder / "site.conf").write_text(site, encoding="utf-8")
    main = folder / "nginx.conf"
    main.write_text(
        f"pid {folder}/nginx.pid;\nerror_log {folder}/error.log;\nevents {{}}\n"
        f"http {{\n    client_body_temp_path {folder}/body;\n    proxy_temp_path {folder}/proxy;\n"
        f"    include site.conf;\n}}\n", encoding="utf-8")
    return main


def test_nginx_accepts_the_configuration_as_shipped(tmp_path):
    result = subprocess.run(["nginx", "-t", "-c", str(configuration(tmp_path)), "-p", str(tmp_path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


@asynccontextmanager
async def running_nginx(main: Path, port: int) -> AsyncIterator[None]:
    process = await asyncio.create_subprocess_exec(
        "nginx", "-c", str(main), "-p", str(main.parent), "-g", "daemon off; master_process off;",
        stderr=asyncio.subprocess.PIPE)
    try:
        for _ in range(200):  # until it listens
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                assert process.returncode is None, (await process.stderr.read()).decode()
                await asyncio.sleep(0.05)
                continue
            writer.close()
            break
        yield
    finally:
        process.terminate()
        await process.wait()


@asynccontextmanager
async def worker(received: list[tuple[str, str, str | None, bytes]]) -> AsyncIterator[int]:
    """A webhook worker that records what reaches it: method, path with query, secret, body."""
    async def handle(request: web.Request) -> web.Response:
        received.append((request.method, request.path_qs, request.headers.get("X-Telegram-Bot-Api-Secret-Token"),
                         await request.read()))
        return web.Response(text="ok")

    application = web.Application(client_max_size=20 * 1024 * 1024)
    application.router.add_route("*", "/{tail:.*}", handle)
    runner = web.AppRunner(application)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield port
    finally:
        await runner.cleanup()


async def test_only_telegram_reaches_the_webhook_and_a_dead_workers_requests_go_to_a_live_one(tmp_path):
    received: list = []
    tls_port, health_port, dead, also_dead = free_port(), free_port(), free_port(), free_port()
    async with worker(received) as live:
        site = (SITE.replace("listen 443 ssl;", f"listen 127.0.0.1:{tls_port} ssl;")
                    .replace("    listen [::]:443 ssl;\n", "")
                    .replace("listen 127.0.0.1:8090;", f"listen 127.0.0.1:{health_port};")
                    # this machine stands in for Telegram's networks; 127.0.0.2 for anyone else
                    .replace("allow 91.108.4.0/22;", "allow 91.108.4.0/22;\n    allow 127.0.0.1;"))
        upstream = (UPSTREAM.replace("127.0.0.1:8081", f"127.0.0.1:{dead}")
                            .replace("127.0.0.1:8082", f"127.0.0.1:{also_dead}")
                            .replace("127.0.0.1:8083", f"127.0.0.1:{live}"))
        async with running_nginx(configuration(tmp_path, site, upstream), tls_port), \
                aiohttp.ClientSession() as telegram, \
                aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=("127.0.0.2", 0))) as stranger:
            url = f"https://127.0.0.1:{tls_port}"
            headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
            statuses = []
            for update_id in range(1, 6):
                async with telegram.post(f"{url}/webhook?leak=QuerySecret", ssl=False, headers=headers,
                                         json={"update_id": update_id, "message": {"text": "BodySecret"}}) as response:
                    statuses.append(response.status)
            assert statuses == [200] * 5
            assert [(method, path, secret) for method, path, secret, _ in received] == \
                [("POST", "/webhook?leak=QuerySecret", SECRET)] * 5
            assert all(b"BodySecret" in body for *_, body in received)

            async def status(session: aiohttp.ClientSession, method: str, path: str, **options) -> int:
                async with session.request(method, url + path, ssl=False, headers=headers, **options) as response:
                    return response.status

            assert await status(stranger, "POST", "/webhook", json={"update_id": 6}) == 403
            assert await status(telegram, "GET", "/webhook") == 403
            assert await status(telegram, "POST", "/other", json={}) == 404
            assert await status(telegram, "POST", "/webhook", data=b"x" * (10 * 1024 * 1024 + 1)) == 413
            async with telegram.get(f"http://127.0.0.1:{health_port}/nginx-health") as response:
                assert response.status == 204
            assert len(received) == 5

    assert "Connection refused" in (tmp_path / "error.log").read_text()  # the dead workers were tried
    log = (tmp_path / "foorumi.access.log").read_text()
    assert log.count('"POST /webhook" 200') == 5
    for leak in ("QuerySecret", "BodySecret", SECRET, "leak="):
        assert leak not in log
