"""A local Telegram Bot API server for running Foorumi without Telegram.

Run it with `python -m sandbox --help`.
"""

from .client import SandboxClient, SandboxError
from .limits import FakeClock, Limits
from .server import RunningSandbox, create_app, run_sandbox
from .state import DEFAULT_TOKEN, SandboxState

__all__ = [
    "DEFAULT_TOKEN",
    "FakeClock",
    "Limits",
    "RunningSandbox",
    "SandboxClient",
    "SandboxError",
    "SandboxState",
    "create_app",
    "run_sandbox",
]
