"""The webhook endpoint Telegram posts updates to: checked, validated, handled, then answered.

- Only the secret in Telegram's header counts, compared in constant time: a request without it,
  with a wrong one or one given anywhere else (such as the query string) gets 401, and nothing
  of it is read.
- A body over MAX_BODY gets 413; one that is not UTF-8 JSON of a Telegram update gets 400. The
  log says which, never what the body held.
- A valid update is answered 200 once it has been handled. Telegram counts an update delivered
  only on a 2xx answer, so a worker that dies meanwhile (its connection fails) loses nothing:
  Telegram – or the proxy in front of several workers – delivers it again, and the store's
  record of handled update ids (UpdateContextMiddleware) keeps it from having an effect twice.
- Each update is handled in a task of its own, shielded from its request: a caller hanging up
  or the server closing cannot cut it off half-way. `in_flight` holds these tasks, so a
  stopping bot waits for them; after `stop_accepting` new requests get 503.
"""
from __future__ import annotations

import asyncio
import hmac
import json
import logging

from aiogram import Bot, Dispatcher
from aiogram.types import Update
from aiohttp import web
from pydantic import ValidationError

log = logging.getLogger(__name__)

PATH = "/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 2**20  # bytes: Telegram's updates are a few kB
MAX_UPDATE_ID = 2**63 - 1  # the store keeps update ids as BIGINT
ANSWER_GRACE = 2.0  # seconds the answers of handled updates get to go out when the server closes


class WebhookServer:
    def __init__(self, dispatcher: Dispatcher, bot: Bot, secret: str) -> None:
        self.dispatcher = dispatcher
        self.bot = bot
        self._secret = secret.encode()
        self.in_flight: set[asyncio.Task[bool]] = set()
        self.accepting = True
        self._runner: web.AppRunner | None = None

    async def start(self, host: str, port: int) -> None:
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_post(PATH, self.handle)
        # No access log: a request line may carry anything a caller put in its query string.
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False,
                                     shutdown_timeout=ANSWER_GRACE)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()

    async def stop_accepting(self) -> None:
        """No new connections (a proxy tries another worker) and 503 for new requests on open ones."""
        self.accepting = False
        if self._runner is not None:
            for site in list(self._runner.sites):
                await site.stop()

    async def close(self) -> None:
        """Send the answers still due and close the connections (after the updates have finished)."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def handle(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return web.Response(status=401)
        if not self.accepting:
            return web.Response(status=503)
        if request.content_length is not None and request.content_length > MAX_BODY:
            return web.Response(status=413)
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:  # a body without Content-Length grew past MAX_BODY
            return web.Response(status=413)
        update = self._update(body)
        if update is None:
            return web.Response(status=400)
        task = asyncio.create_task(self._feed(update), name=f"update-{update.update_id}")
        self.in_flight.add(task)
        task.add_done_callback(self.in_flight.discard)
        handled = await asyncio.shield(task)
        return web.Response(status=200 if handled else 500)

    def _authorised(self, request: web.Request) -> bool:
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "replace")
        return hmac.compare_digest(given, self._secret)

    def _update(self, body: bytes) -> Update | None:
        """The body as an Update; None, and one log line without the body, when it is none."""
        try:
            data = json.loads(body.decode("utf-8"))
        except (ValueError, RecursionError):  # not UTF-8, not JSON, or nested past the parser
            log.warning("webhook: refused a body that is not UTF-8 JSON (%s bytes)", len(body))
            return None
        try:
            update = Update.model_validate(data, context={"bot": self.bot})
        except (ValidationError, RecursionError):
            log.warning("webhook: refused a body that is not a Telegram update (%s bytes)", len(body))
            return None
        if not 0 <= update.update_id <= MAX_UPDATE_ID:
            log.warning("webhook: refused an update id out of range")
            return None
        return update

    async def _feed(self, update: Update) -> bool:
        """Handle the update; False when it failed outside the handlers (their errors the errors
        router answers): then the 500 makes Telegram deliver it again later."""
        try:
            await self.dispatcher.feed_update(self.bot, update)
        except Exception as error:
            log.error("update %s could not be handled: %s", update.update_id, type(error).__name__,
                      exc_info=error)
            return False
        return True
