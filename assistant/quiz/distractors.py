"""Plausible wrong options: perturbed numbers, other roles and terms from the same kind of
source. The validator, not this module, decides whether a distractor is provably wrong."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Iterable
from functools import cache

from assistant.quiz.facts import Fact
from assistant.quiz.schema import Difficulty
from assistant.quiz.tokens import (
    HOURS,
    MODAL_CLASSES,
    MODAL_OF,
    ROLE_GROUPS,
    Category,
    abbreviates,
    equivalence,
    parse_number,
    render_number,
    unit_text,
)
from assistant.text.lexicon import table

_TIME_SWAPS = {
    "年": ("个月",),
    "月": ("年", "周"),
    "日": ("个月", "小时"),
    "小时": ("日",),
    "周": ("日", "个月"),
    "工作日": ("日",),
}


def _number_candidates(value: float, difficulty: Difficulty) -> list[float]:
    near = [value + 1, value - 1, value + 2, value - 2] if value >= 3 else [value + 1, value + 2]
    far = [value * 2, value * 3, value / 2, value + value / 2, value * 4]
    if difficulty is Difficulty.hard:
        ordered = near + far
    elif difficulty is Difficulty.easy:
        ordered = far + near
    else:
        ordered = [c for pair in zip(far, near, strict=False) for c in pair] + far[len(near) :]
    return [c for c in ordered if c > 0 and (c == int(c) or value != int(value))]


@cache
def typical_values() -> dict[str, tuple[float, ...]]:
    """Per unit, the values rules usually set (lexicon ``typical_values``)."""
    return {unit[0]: tuple(float(v) for v in values) for unit, values in table("typical_values")}


def _typical_candidates(value: float, unit: str, difficulty: Difficulty) -> list[float] | None:
    """Other usual values of the unit, nearest first (on a log scale: 3 and 12 are as near
    to 6); easy quizzes take the far ones first. None when the unit has no table or the key
    is not a usual value itself (then arithmetic neighbours are as plausible)."""
    usual = typical_values().get(unit)
    if not usual or value not in usual or value <= 0:
        return None
    others = sorted((v for v in usual if v != value), key=lambda v: abs(math.log(v / value)))
    return others[::-1] if difficulty is Difficulty.easy else others


def numbers(key: str, count: int, difficulty: Difficulty, rng: random.Random) -> list[str]:
    """Same unit and numeral style; values a rule would set (6个月 → 3个月, 12个月), else
    arithmetic neighbours: hard = close values, easy = far ones; a time unit swap (十二个月 →
    十二年) is one more option when values run out."""
    parsed = parse_number(key)
    if parsed is None:
        return []
    value, unit = parsed
    written_unit = unit_text(key)
    values = _typical_candidates(value, unit, difficulty)
    if values is None:
        values = _number_candidates(value, difficulty)
    options = [render_number(v, written_unit, key) for v in values]
    window = options[: count + 2]
    rng.shuffle(window)
    options = window + options[count + 2 :]
    if unit in HOURS or unit == "工作日":
        options += [render_number(value, swap, key) for swap in _TIME_SWAPS.get(unit, ())]
    return _distinct(key, options)[:count]


def _distinct(key: str, options: Iterable[str]) -> list[str]:
    seen = {equivalence(key)}
    kept = []
    for option in options:
        if equivalence(option) not in seen:
            seen.add(equivalence(option))
            kept.append(option)
    return kept


def modals(key: str) -> list[str]:
    """One word from each other meaning class: 不得 → 必须, 可以, 无须."""
    own = MODAL_OF[key]
    return [words[0] for name, words in MODAL_CLASSES.items() if name != own]


def _alike_in_length(option: str, key: str) -> bool:
    """A two-character status (限用) is no option for an eight-character measure (严重度×发生
    频度): a trainee spots the odd one out without reading the source."""
    return 0.5 <= len(option) / max(len(key), 1) <= 2.0


class Pools:
    """Roles, defined terms and list items seen in the same kind of source."""

    def __init__(self, facts: Iterable[Fact]) -> None:
        self.terms: dict[str, list[str]] = defaultdict(list)
        self.items: dict[str, list[str]] = defaultdict(list)
        self.roles: dict[str, list[str]] = defaultdict(list)
        for fact in facts:
            kind = fact.chunk.kind.value
            if fact.category is Category.term:
                self.terms[kind].append(fact.key)
            elif fact.category is Category.items:
                self.items[kind].extend(fact.items)
            elif fact.category is Category.role:
                self.roles[kind].append(fact.key)
        for pool in (self.terms, self.items, self.roles):
            for kind, values in pool.items():
                pool[kind] = sorted(set(values), key=values.index)

    def roles_for(self, fact: Fact) -> list[str]:
        group = next((g for g in ROLE_GROUPS if fact.key in g), ())
        seen = [r for r in self.roles[fact.chunk.kind.value] if r in group]
        return [r for r in dict.fromkeys([*seen, *group]) if r != fact.key]

    def others(self, fact: Fact, count: int, rng: random.Random) -> list[str]:
        """Options for a role or term fact, none of them present in the passage."""
        if fact.category is Category.role:
            candidates = self.roles_for(fact)
        else:
            candidates = self.terms[fact.chunk.kind.value]
        candidates = [
            c
            for c in candidates
            if c != fact.key
            and c not in fact.chunk.text
            and not abbreviates(c, fact.key)
            and _alike_in_length(c, fact.key)
        ]
        return rng.sample(candidates, min(count, len(candidates)))

    def list_items(
        self, fact: Fact, count: int, rng: random.Random, difficulty: Difficulty
    ) -> list[str]:
        """Items of other lists, not in this passage; harder quizzes take the ones that share
        the most characters with the right answers (「湿度」 next to 「温度」)."""
        lengths = [len(i) for i in fact.items]
        own = set("".join(fact.items))
        candidates = [
            item
            for item in self.items[fact.chunk.kind.value]
            if item not in fact.chunk.text
            and min(lengths) - 2 <= len(item) <= max(lengths) + 3
            and not any(abbreviates(item, own_item) for own_item in fact.items)
        ]
        rng.shuffle(candidates)
        if difficulty is Difficulty.easy:
            return candidates[:count]
        candidates.sort(key=lambda item: -len(own & set(item)))
        window = candidates[: count if difficulty is Difficulty.hard else count * 3]
        return rng.sample(window, min(count, len(window)))
