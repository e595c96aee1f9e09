"""Bot API request parameters (query, JSON, urlencoded or multipart) and Telegram-shaped errors."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web
from aiohttp.web_request import FileField


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


class ApiError(Exception):
    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def response(self) -> web.Response:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return web.Response(text=dumps(body), status=self.code, content_type="application/json")


def bad_request(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}")


class Params:
    """Typed access to a method's parameters (form values are strings, JSON values native)."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    @classmethod
    async def read(cls, request: web.Request) -> Params:
        values: dict[str, Any] = dict(request.query)
        if request.method == "POST" and request.can_read_body:
            if request.content_type == "application/json":
                try:
                    body = json.loads(await request.text())
                except ValueError:
                    raise bad_request("can't parse JSON") from None
                if not isinstance(body, dict):
                    raise bad_request("JSON object expected")
                values.update(body)
            else:
                values.update(await request.post())
        return cls(values)

    def raw(self, name: str) -> Any:
        value = self.values.get(name)
        return None if value == "" else value

    def str(self, name: str) -> str | None:
        value = self.raw(name)
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, FileField):
            raise bad_request(f"{name} must be a String")
        return dumps(value)

    def int(self, name: str, default: int | None = None, required: bool = False) -> int | None:
        value = self.raw(name)
        if value is None:
            if required:
                raise bad_request(f"{name} is empty")
            return default
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f'field "{name}" must be of type Integer') from None

    def float(self, name: str) -> float:
        try:
            return float(self.values[name])
        except KeyError:
            raise bad_request(f"{name} is empty") from None
        except (TypeError, ValueError):
            raise bad_request(f'field "{name}" must be of type Number') from None

    def bool(self, name: str) -> bool:
        value = self.raw(name)
        if isinstance(value, str):
            return value.lower() in ("true", "1")
        return bool(value)

    def json(self, name: str) -> Any:
        value = self.raw(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {name} JSON object") from None
        return value

    def chat_id(self, name: str = "chat_id") -> int | str:
        value = self.raw(name)
        if value is None:
            raise bad_request(f"{name} is empty")
        if isinstance(value, str) and value.startswith("@"):
            return value
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request("chat not found") from None

    def file(self, name: str) -> FileField | str | None:
        """An uploaded file (directly or via attach://) or a file_id string."""
        value = self.raw(name)
        if isinstance(value, str) and value.startswith("attach://"):
            value = self.raw(value[len("attach://") :])
            if not isinstance(value, FileField):
                raise bad_request("wrong file identifier/HTTP URL specified")
        return value
