"""References in Chinese regulatory text: 第二十五条, ISO clause numbers, procedure codes."""

from __future__ import annotations

import re
from dataclasses import dataclass

_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_NUMERAL = "零〇一二两三四五六七八九十百千"

ARTICLE_RE = re.compile(rf"第\s*([{CN_NUMERAL}]+|\d+)\s*条")
CLAUSE_RE = re.compile(r"(?<![\d.])((?:10|[4-9])(?:\.\d{1,2}){0,3})(?![\d.]*[%％])(?!\d)")
PROCEDURE_RE = re.compile(r"\b([A-Z]{1,5}-[A-Z]{1,4}-\d{1,3})\b(?:\s*§\s*(\d+(?:\.\d+)*))?")


class NumeralError(ValueError):
    pass


def cn_to_int(text: str) -> int:
    """二十五 -> 25, 一百零三 -> 103, 十 -> 10; plain digits pass through."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    if not text or any(ch not in _DIGITS and ch not in _UNITS for ch in text):
        raise NumeralError(f"not a Chinese numeral: {text!r}")
    total, current = 0, 0
    for ch in text:
        if ch in _DIGITS:
            current = _DIGITS[ch]
        else:
            total += (current or 1) * _UNITS[ch]
            current = 0
    return total + current


def int_to_cn(number: int) -> str:
    """25 -> 二十五, 10 -> 十, 103 -> 一百零三 (as used in article numbers)."""
    if number <= 0 or number >= 10000:
        raise NumeralError(f"article number out of range: {number}")
    digits = "零一二三四五六七八九"
    parts: list[str] = []
    zero_pending = False
    for unit_value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = number // unit_value % 10
        if digit == 0:
            zero_pending = bool(parts)
            continue
        if zero_pending:
            parts.append("零")
            zero_pending = False
        if not (unit == "十" and digit == 1 and not parts):
            parts.append(digits[digit])
        parts.append(unit)
    return "".join(parts)


def article_ref(number: int) -> str:
    return f"第{int_to_cn(number)}条"


@dataclass(frozen=True)
class QueryRefs:
    """References a question names explicitly."""

    articles: tuple[int, ...] = ()
    clauses: tuple[str, ...] = ()
    procedures: tuple[tuple[str, str], ...] = ()  # (code, section or "")

    def __bool__(self) -> bool:
        return bool(self.articles or self.clauses or self.procedures)


def find_refs(question: str) -> QueryRefs:
    articles: list[int] = []
    for match in ARTICLE_RE.finditer(question):
        try:
            articles.append(cn_to_int(match.group(1)))
        except NumeralError:
            continue
    procedures = [(m.group(1), m.group(2) or "") for m in PROCEDURE_RE.finditer(question)]
    without_codes = PROCEDURE_RE.sub(" ", question)
    clauses = [m.group(1) for m in CLAUSE_RE.finditer(without_codes) if _looks_like_clause(m)]
    return QueryRefs(
        tuple(dict.fromkeys(articles)),
        tuple(dict.fromkeys(clauses)),
        tuple(dict.fromkeys(procedures)),
    )


def _looks_like_clause(match: re.Match[str]) -> bool:
    """A bare "9" is a number, not a clause; "9.2" or "条款9" is a clause."""
    value = match.group(1)
    if "." in value:
        after = match.string[match.end() : match.end() + 1]
        return not after or after not in "个天年月日次小分元倍万"
    before = match.string[max(0, match.start() - 3) : match.start()]
    return any(marker in before for marker in ("条款", "章", "ISO", "款"))
