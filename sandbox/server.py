"""aiohttp app factory and the in-process runner."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from . import control, webhook
from .botapi import METHODS
from .limits import Clock, Limits
from .params import ApiError, Params
from .state import DEFAULT_TOKEN, SandboxState

log = logging.getLogger("sandbox")
STATIC = Path(__file__).with_name("static")
MAX_UPLOAD = 60 * 2**20


async def bot_api(request: web.Request) -> web.Response:
    state = request.app[control.STATE]
    try:
        if request.match_info["token"] != state.token:
            raise ApiError(401, "Unauthorized")
        handler = METHODS.get(request.match_info["method"].lower())
        if handler is None:
            raise ApiError(404, "Not Found")
        result = await handler(state, await Params.read(request))
    except ApiError as error:
        return error.response()
    except Exception:
        log.exception("sandbox failed on %s", request.match_info["method"])
        return ApiError(500, "Internal Server Error").response()
    return control.reply({"ok": True, "result": result})


async def not_found(request: web.Request) -> web.Response:
    return ApiError(404, "Not Found").response()


async def download(request: web.Request) -> web.Response:
    state = request.app[control.STATE]
    if request.match_info["token"] != state.token:
        return ApiError(401, "Unauthorized").response()
    stored = state.files_by_path.get(request.match_info["path"])
    if stored is None:
        return ApiError(404, "Not Found").response()
    return web.Response(
        body=stored.data, content_type=stored.mime_type or "application/octet-stream"
    )


async def index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "index.html")


async def shutdown(app: web.Application) -> None:
    state = app[control.STATE]
    state.close()  # ends pending long polls so the server can stop promptly
    await webhook.stop(state)


def create_app(state: SandboxState) -> web.Application:
    app = web.Application(client_max_size=MAX_UPLOAD)
    app[control.STATE] = state
    app.router.add_route("*", "/bot{token}/{method}", bot_api)
    app.router.add_route("*", "/bot{token}/{tail:.*}", not_found)
    app.router.add_get("/file/bot{token}/{path:.+}", download)
    app.router.add_routes(control.routes)
    app.router.add_get("/", index)
    app.router.add_static("/static", STATIC)
    app.on_shutdown.append(shutdown)
    return app


@dataclass
class RunningSandbox:
    url: str  # the value for BOT_API_URL
    token: str
    state: SandboxState


@asynccontextmanager
async def run_sandbox(
    host: str = "127.0.0.1",
    port: int = 0,
    token: str = DEFAULT_TOKEN,
    limits: Limits | None = None,
    clock: Clock = time.time,
    personas: bool = True,
) -> AsyncIterator[RunningSandbox]:
    state = SandboxState(token=token, limits=limits, clock=clock, personas=personas)
    runner = web.AppRunner(create_app(state), access_log=None, shutdown_timeout=5)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound_port = runner.addresses[0][1]
    try:
        yield RunningSandbox(f"http://{host}:{bound_port}", token, state)
    finally:
        await runner.cleanup()
