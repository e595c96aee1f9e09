"""Webhook delivery: POST pending updates one at a time, in order, retrying with backoff."""

from __future__ import annotations

import asyncio

import aiohttp

from .params import ApiError
from .state import SandboxState, Webhook

MAX_RETRY_DELAY = 60.0


def conflict() -> ApiError:
    return ApiError(
        409,
        "Conflict: can't use getUpdates method while webhook is active; "
        "use deleteWebhook to delete the webhook first",
    )


def start(state: SandboxState, url: str, secret_token: str | None, max_connections: int) -> None:
    hook = state.webhook = Webhook(url, secret_token, max_connections)
    hook.task = asyncio.create_task(_deliver(state, hook))


async def stop(state: SandboxState) -> None:
    hook, state.webhook = state.webhook, None
    if hook is not None and hook.task is not None:
        hook.task.cancel()
        await asyncio.gather(hook.task, return_exceptions=True)


async def _deliver(state: SandboxState, hook: Webhook) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": hook.secret_token} if hook.secret_token else {}
    timeout = aiohttp.ClientTimeout(total=60)
    delay = state.limits.webhook_retry_delay
    async with aiohttp.ClientSession(timeout=timeout) as session:
        while not state.closing:
            if not state.updates:
                await state.updates_changed.wait(30)
                continue
            update_id, kind, payload = state.updates[0]
            error = await _post(session, hook.url, {"update_id": update_id, kind: payload}, headers)
            if error is None:
                if state.updates and state.updates[0][0] == update_id:
                    state.updates.popleft()
                delay = state.limits.webhook_retry_delay
                continue
            hook.last_error_date = int(state.clock())
            hook.last_error_message = error
            await asyncio.sleep(delay)
            delay = min(MAX_RETRY_DELAY, delay * 2)


async def _post(
    session: aiohttp.ClientSession, url: str, update: dict, headers: dict
) -> str | None:
    try:
        async with session.post(url, json=update, headers=headers) as response:
            if 200 <= response.status < 300:
                return None
            return f"Wrong response from the webhook: {response.status} {response.reason}"
    except TimeoutError:
        return "Read timeout expired"
    except aiohttp.ClientError as error:
        return f"Connection failed: {error.__class__.__name__}"
