"""What a question takes for granted and what exactly it asks about.

Retrieval always finds *something* close to an in-domain question, so similarity alone
cannot tell 「几天能出报告」 answered by 「7日内将样品送达检验机构」 (a duration, but of another
matter): ``unfocused_fact`` looks for the asked-for kind of fact next to what the question asks
about. The stated clauses (``premise_clauses``) are what the model checks the sources cover.
All lexical, so they add microseconds, not another model call.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.text.analysis import (
    FUNCTION_CHARS,
    INTERROGATIVE_RE,
    QUESTION_WORDS_RE,
    Shape,
    answers_shape,
)
from assistant.text.lexicon import alternation

CLAUSE_SPLIT_RE = re.compile(r"[，,。；;？?！!\n]+")


_QUESTION_WORD_RE = re.compile(
    # 「多审几次」「再跑几天」: a few more, not how many
    r"多久|多长时间|多长|几月份|(?<![好这那前近])(?<![多再少][\u4e00-\u9fff])几(?:[个年天月次周]|星期|工作日)内?"
    r"|多少[天年个次钱]?"
    r"|哪一?年(?!度)|什么时候|何时"
)
_LIGHT_CHARS = set("做办搞弄去来给到完成行交走")


def asked_about(clause: str) -> set[str]:
    """What the question asks about: the characters right after its question word, up to
    the next question word (「几天|能出报告」, 「多久|查|一次」). Characters, not words, so
    「关掉」 still finds 「关闭」; light verbs (做, 办 …) say nothing."""
    match = _QUESTION_WORD_RE.search(clause)
    return set() if match is None else _matter_after(clause, match.end())


def _matter_after(clause: str, start: int) -> set[str]:
    tail = _HEDGE_RE.sub("", clause[start:])
    cut = QUESTION_WORDS_RE.search(tail)
    return _meaning_chars(tail[: cut.start()] if cut else tail)


def _meaning_chars(text: str) -> set[str]:
    return set(re.findall(r"[\u4e00-\u9fff]", text)) - _LIGHT_CHARS - FUNCTION_CHARS


def unfocused_fact(question: str, sentences: Sequence[str], shape: Shape) -> bool:
    """True when no evidence sentence with the asked-for kind of fact (a duration …) also
    names (half of its characters) what the question asks about: the words right after its
    question word (「几天能出报告」 is not answered by 「7日内将样品送达检验机构」) or, when
    the question word ends the clause, the words right before it (「这个限期给多少天」)."""
    for clause in CLAUSE_SPLIT_RE.split(question):
        asked = _QUESTION_WORD_RE.search(clause)
        if asked is None:
            continue
        after = _matter_after(clause, asked.end())
        # 「培训需求几月份报上去」: a month answers the matter before it, however the verb after
        # it is worded (提出); with nothing after the question word, what is before it is asked
        month = _ASKED_MONTH_RE.search(clause) if after else None
        before = _matter_before(clause, month.start() if month else asked.start())
        named = [after] if after else []
        if (month or not after) and len(before) >= 2:
            named.append(before)
        if not named:
            continue
        return not any(
            2 * len(n & set(s)) >= len(n)
            for s in sentences
            if answers_shape(s, shape)
            for n in named
        )
    return False


def _matter_before(clause: str, end: int) -> set[str]:
    """The meaningful characters between the previous question word and ``end``; hedges
    (「这个限期一般给多少天」) say nothing and end nothing."""
    return _meaning_chars(QUESTION_WORDS_RE.split(_HEDGE_RE.sub("", clause[:end]))[-1])


_HEDGE_RE = re.compile(alternation("hedges"))


_ASKED_MONTH_RE = re.compile(r"几月份?|哪个月")


def premise_clauses(question: str) -> list[str]:
    """Statements the asker takes as given before asking (a clause followed by another that
    ends in 吧 or holds no question word), each with the clauses before it for context."""
    clauses = [c.strip() for c in CLAUSE_SPLIT_RE.split(question) if c.strip()]
    return [
        "，".join(clauses[: i + 1]).removesuffix("吧")
        for i, clause in enumerate(clauses[:-1])
        if clause.endswith("吧") or not INTERROGATIVE_RE.search(clause)
    ]
