"""「有什么区别」: one line for each side compared, each from a passage that speaks of it.

「XK证和ISO 9001认证有什么区别？」 is answered as 「XK证：…[1]」 and 「ISO 9001认证：…[2]」, so the
reader sees the two side by side instead of three sentences about whichever side ranked first.
"""

from __future__ import annotations

import re

from assistant.text.analysis import DIFFERENCE_RE
from assistant.text.lexicon import words

_CLAUSE_END_RE = re.compile(r"[，,。？?！!；;：:]")


def _trim(side: str) -> str:
    side = side.strip(" \t\u3000“”\"'《》")
    fillers = sorted(words("comparison_fillers"), key=len, reverse=True)
    changed = True
    while changed and side:
        changed = False
        for filler in fillers:
            if side.endswith(filler) and len(side) > len(filler):
                side, changed = side.removesuffix(filler).strip(), True
            if side.startswith(filler) and len(side) > len(filler):
                side, changed = side.removeprefix(filler).strip(), True
    return side


def _first_words(side: str) -> str:
    """The right side up to the first word naming neither thing: 「ISO 9001认证的有效期」 ->
    「ISO 9001认证」, 「9001各自关注的重点」 -> 「9001」."""
    cuts = [at for filler in words("comparison_fillers") if (at := side.find(filler)) >= 2]
    return side[: min(cuts)] if cuts else side


def compared_sides(question: str) -> tuple[str, str] | None:
    """The two things a comparison question names, in its order; None when it names one.
    The clause that asks is read first, then the question up to it (「XK核查和9001审核，各自
    盯的重点有啥不同？」)."""
    found = DIFFERENCE_RE.search(question)
    if found is None:
        return None
    before = question[: found.start()]
    conjunctions = sorted(words("conjunctions"), key=len, reverse=True)
    for text in (_CLAUSE_END_RE.split(before)[-1], before):
        for conjunction in conjunctions:
            left, joined, right = text.partition(conjunction)
            left = _trim(_CLAUSE_END_RE.split(left)[-1])
            right = _trim(_first_words(_CLAUSE_END_RE.split(right)[0]))
            if joined and len(left) >= 2 and len(right) >= 2:
                return left, right
    return None
