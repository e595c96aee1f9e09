"""Every button's callback data names its purpose with a prefix of its own: two features sharing
one would each take the other's buttons for theirs (told apart only by how many fields they carry)."""
from collections import Counter

from aiogram.filters.callback_data import CallbackData

import handlers  # noqa: F401  (imports every feature and its buttons)


def every_kind(cls: type) -> list[type]:
    return [sub for direct in cls.__subclasses__() for sub in [direct, *every_kind(direct)]]


def test_no_two_kinds_of_button_share_a_prefix():
    prefixes = Counter(kind.__prefix__ for kind in every_kind(CallbackData))
    assert prefixes and [prefix for prefix, kinds in prefixes.items() if kinds > 1] == []
