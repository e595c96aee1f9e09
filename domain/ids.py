"""Numbers that arrive from outside – links, commands, buttons – and the rows they may name.

A stored row's id is an INTEGER (PostgreSQL's: at most 2,147,483,647); a bigger or negative number
names nothing, so it is refused where it arrives instead of reaching the store.
"""
from __future__ import annotations

from typing import Annotated

from annotated_types import Interval

MAX_ID = 2**31 - 1
ID_DIGITS = r"[0-9]{1,9}"  # an id as a link or command writes it: ASCII digits, always below MAX_ID

# A button's number (an id, a page, a position, a count): pydantic, and so aiogram's CallbackData,
# refuses anything else, and the press is answered like any button that is no longer valid.
Natural = Annotated[int, Interval(ge=0, le=MAX_ID)]
# The same, or -1 where a button means "every area" or "turned off".
NaturalOrMinusOne = Annotated[int, Interval(ge=-1, le=MAX_ID)]
