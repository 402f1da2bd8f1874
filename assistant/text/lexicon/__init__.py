"""Word lists as data files, one word per line (``#`` starts a comment), loaded once."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

LEXICON_DIR = Path(__file__).resolve().parent


def read_word_list(path: Path) -> tuple[str, ...]:
    """The words of one list file, in file order (also for the evaluation's own lists)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return tuple(w for line in lines if (w := line.split("#", 1)[0].strip()))


@cache
def table(name: str) -> tuple[tuple[tuple[str, ...], ...], ...]:
    """A list whose lines hold columns split by ``|``, each column a few words: 「年 | 年」,
    「月 | 个月 月」 (duration units), 「可以 … | 可以 允许 | 不可以 不得 …」 (modals)."""
    return tuple(tuple(tuple(column.split()) for column in line.split("|")) for line in words(name))


@cache
def words(name: str) -> tuple[str, ...]:
    """The list ``name``.txt in file order, longest-first ties kept as written."""
    return read_word_list(LEXICON_DIR / f"{name}.txt")


def either(found: Iterable[str]) -> str:
    """Words as a regex alternation, longest first (so 才能 wins over 才): the words stay in
    a data file, the pattern is built from them."""
    return "|".join(re.escape(w) for w in sorted(found, key=len, reverse=True))


@cache
def alternation(name: str) -> str:
    """The list ``name`` as a regex alternation (``either``)."""
    return either(words(name))
