"""Checkable facts inside a sentence: numbers with units, roles, modal verbs.

Questions are built by blanking or changing one of these tokens, and the validator uses the
same recognisers to prove an option right or wrong, so both sides agree by construction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from assistant.refs import NumeralError, cn_to_int, int_to_cn
from assistant.text.lexicon import either, table


class Category(StrEnum):
    number = "number"
    role = "role"
    modal = "modal"
    term = "term"
    items = "items"


_UNITS = (
    *("个工作日", "工作日", "个小时", "小时", "个月", "分钟", "星期", "年", "月", "日"),
    *("天", "周", "次", "名", "人", "件", "批", "盘", "项", "倍", "%", "％", "万元", "元"),
)
_UNIT_ALIASES = {
    "个工作日": "工作日",
    "个小时": "小时",
    "个月": "月",
    "天": "日",
    "星期": "周",
    "％": "%",
}
HOURS = {"小时": 1.0, "日": 24.0, "周": 168.0, "月": 730.0, "年": 8760.0, "分钟": 1 / 60}
_CN_DIGITS = "零〇一二两三四五六七八九十百千半"
_UNIT_PATTERN = "|".join(map(re.escape, _UNITS))
NUMBER_TOKEN_RE = re.compile(
    rf"(?<![A-Za-z0-9.\-§/:第])(\d+(?:\.\d+)?|[{_CN_DIGITS}]+)\s?({_UNIT_PATTERN})"
)

ROLES_BY_KIND = {kind[0]: roles for kind, roles in table("roles")}
COMPANY_ROLES = ROLES_BY_KIND["company"]
AUTHORITY_ROLES = ROLES_BY_KIND["authority"]
ROLE_GROUPS = (COMPANY_ROLES, AUTHORITY_ROLES)
ROLE_RE = re.compile(either(COMPANY_ROLES + AUTHORITY_ROLES))

# Modal verbs by meaning (options of one kind would be equivalent), and the word a false
# statement swaps in for each kind
MODAL_CLASSES = {kind[0]: modal for kind, modal, _ in table("modal_kinds")}
MODAL_FLIP = {kind[0]: opposite[0] for kind, _, opposite in table("modal_kinds")}
MODAL_OF = {word: name for name, words in MODAL_CLASSES.items() for word in words}
MODAL_RE = re.compile(either(MODAL_OF))


@dataclass(frozen=True)
class Token:
    start: int
    end: int
    category: Category
    text: str


def number_value(numeral: str) -> float | None:
    if numeral == "半":
        return 0.5
    try:
        return float(numeral) if numeral[0].isdigit() else float(cn_to_int(numeral))
    except (NumeralError, ValueError):
        return None


def _is_date_part(text: str, start: int, end: int, value: float, unit: str) -> bool:
    """2026年3月1日 is a date, not a duration."""
    if unit == "年" and value >= 1900:
        return True
    before = text[max(0, start - 1) : start]
    return (unit in ("月", "日") and before in ("年", "月")) or text[end : end + 1] == "月"


def number_tokens(text: str) -> list[Token]:
    found = []
    for match in NUMBER_TOKEN_RE.finditer(text):
        value = number_value(match.group(1))
        if value is None or _is_date_part(text, *match.span(), value, match.group(2)):
            continue
        found.append(Token(match.start(), match.end(), Category.number, match.group(0)))
    return found


def tokens(text: str) -> list[Token]:
    """Every checkable token, in order of position."""
    found = number_tokens(text)
    found += [Token(*m.span(), Category.role, m.group(0)) for m in ROLE_RE.finditer(text)]
    found += [Token(*m.span(), Category.modal, m.group(0)) for m in MODAL_RE.finditer(text)]
    return sorted(found, key=lambda t: (t.start, -t.end))


def parse_number(text: str) -> tuple[float, str] | None:
    """「十二个月」 → (12, "月"); None unless the whole text is one number with a unit."""
    match = NUMBER_TOKEN_RE.fullmatch(text.strip())
    if match is None:
        return None
    value = number_value(match.group(1))
    unit = _UNIT_ALIASES.get(match.group(2), match.group(2))
    return None if value is None else (value, unit)


def equivalence(text: str) -> str:
    """Options with the same key say the same thing: 十二个月 = 12个月 = 一年; 必须 = 应当."""
    text = text.strip().rstrip("。；，")
    number = parse_number(text)
    if number is not None:
        value, unit = number
        if unit in HOURS:
            return f"time:{round(value * HOURS[unit], 3)}"
        return f"{unit}:{round(value, 3)}"
    if text in MODAL_OF:
        return f"modal:{MODAL_OF[text]}"
    return re.sub(r"\s+", "", text)


def abbreviates(a: str, b: str) -> bool:
    """One option is the other shortened (限用 / 限制使用, 质量部 / 质量管理部): the characters
    of the shorter appear in order in the longer, so a trainee cannot tell them apart."""
    short, long = sorted((a.strip(), b.strip()), key=len)
    if len(short) < 2 or short == long or NUMBER_TOKEN_RE.search(short + long):
        return False  # 2个月 / 24个月 are two periods: numbers compare by value (equivalence)
    if short[0] != long[0]:
        return False  # 合格 / 不合格区 are opposites, not one word shortened
    rest = iter(long)
    return all(char in rest for char in short)


def render_number(value: float, unit_text: str, like: str) -> str:
    """A number in the style of ``like`` (Chinese numerals stay Chinese)."""
    chinese = not like.strip()[0].isdigit()
    if value == int(value) and chinese and 0 < value < 10000:
        numeral = (
            "两"
            if value == 2 and unit_text[:1] in "个年天周小日名次倍件批"
            else int_to_cn(int(value))
        )
    else:
        numeral = str(int(value)) if value == int(value) else f"{value:g}"
    space = " " if re.match(r"\d+\s", like) else ""
    return f"{numeral}{space}{unit_text}"


def unit_text(token: str) -> str:
    match = NUMBER_TOKEN_RE.fullmatch(token.strip())
    return match.group(2) if match else ""
