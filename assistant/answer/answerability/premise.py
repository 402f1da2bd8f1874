"""What a question takes for granted and what exactly it asks for, checked against evidence.

Retrieval always finds *something* close to an in-domain question, so similarity alone
cannot tell 「内审多久一次」 (answerable) from 「内审员名单上都是谁」 (the sources only say a
list exists). These checks look for the asked-for value itself (a date, a code, a company
name …), for the asked-for fact next to what the question asks about, and for a premise the
sources state the opposite of (「ISO 9001是强制的吧，…」 vs 「ISO 9001认证属于自愿性认证」).
All lexical, so they add microseconds, not another model call.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.answer.text import (
    FUNCTION_CHARS,
    INTERROGATIVE_RE,
    QUESTION_WORDS_RE,
    ROLE_RE,
    Shape,
    answers_shape,
    content_terms,
    coverage,
)
from assistant.text.lexicon import alternation

CLAUSE_SPLIT_RE = re.compile(r"[，,。；;？?！!\n]+")


@dataclass(frozen=True)
class Slot:
    """A kind of value a question can ask for, and how the value looks in a source."""

    name: str
    asked: re.Pattern[str]
    present: re.Pattern[str]
    not_own: bool = False  # a value holding the question's own terms is not an answer


# Values that only an explicit record can answer; 「有记录证书编号」 is not a number.
SLOTS: tuple[Slot, ...] = (
    Slot(
        "日期",
        re.compile(r"哪一?天|几号|几月几[日号]|具体日期|什么日子"),
        re.compile(r"月(?:\d{1,2}|[一二三四五六七八九十]{1,3})[日号]"),
    ),
    Slot(
        "编号或号码",
        re.compile(r"(?:编号|号码|电话|证号|账号|邮箱|网址)(?:是|为)?(?:多少|啥|什么|几号)"),
        re.compile(
            r"(?:编号|号码|电话|证号|账号|邮箱|网址)[^\n。；]{0,4}?[A-Za-z0-9][\w\-@.]{3,}"
            r"|[A-Z]{2,}-[A-Z]{2,}-\d+"  # a form's code: 《…登记表》（HR-QR-37）
        ),
    ),
    Slot(
        "单位名称",
        re.compile(r"哪家(?:公司|供应商|厂|企业|单位|工厂)?|叫什么名字|名称是"),
        re.compile(r"[\u4e00-\u9fff]{2,4}(?:有限公司|股份公司|集团|公司|工厂|研究院)"),
        not_own=True,
    ),
    Slot(
        "人名",
        re.compile(r"叫什么|姓什么|姓名|名单上.{0,3}谁|是哪位|哪几位|哪些人"),
        re.compile(r"(?:姓名|名字|联系人|负责人)[：:为是][\u4e00-\u9fff]{2,4}"),
    ),
    Slot(
        "尺寸",
        re.compile(r"多大|多宽|多厚|多粗|多高|尺寸(?:是|有|要)?多少"),
        re.compile(r"\d+(?:\.\d+)?\s*(?:mm|cm|毫米|厘米|米|平方|%|％)"),  # 多大比例: a share
    ),
    Slot(
        "地点",
        re.compile(r"哪个省|哪个市|哪个城市|什么地方|厂址|地址在|在哪儿?办公"),
        re.compile(r"[\u4e00-\u9fff]{2,6}(?:省|自治区)[\u4e00-\u9fff]{2,6}市|(?:地址|厂址)[：:]"),
    ),
)


_GENERIC_NAME_TERMS = {"公司", "有限", "限公", "集团", "工厂", "供应", "应商", "企业", "单位"}


def missing_values(question: str, evidence: str) -> list[str]:
    """Slots the question asks for that no evidence text fills. A company holding one of the
    question's own terms (「华瑞线缆有限公司」 for 「华瑞从哪家买」) is not an answer."""
    own = content_terms(question) - _GENERIC_NAME_TERMS
    missing = []
    for slot in SLOTS:
        if not slot.asked.search(question):
            continue
        values = [m.group(0) for m in slot.present.finditer(evidence)]
        if not any(not slot.not_own or own.isdisjoint(content_terms(v)) for v in values):
            missing.append(slot.name)
    return missing


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


# A premise word, and how the sources say the opposite.
_POLARITY: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = (
    (
        re.compile(r"(?<![不非])(?:强制|硬性)"),
        re.compile(r"自愿|(?:不|非|并不|没有|不再)(?:强制|硬性)"),
    ),
    (
        re.compile(r"(?<![不])(?:可以|就能|能够|允许|就行|也能|都能|还能|能直接)"),
        re.compile(r"不得|不能|不可|禁止|不允许|严禁|不应|一律不"),
    ),
    (
        re.compile(r"(?<![不])(?:必须|一定要|需要)"),
        re.compile(r"不需要|无需|无须|不必|可以不|自愿"),
    ),
)
MIN_PREMISE_COVERAGE = 0.35


def claimed_premises(question: str) -> list[str]:
    """The premises that assert something the sources could deny (「…是强制的」, 「…就能…」)."""
    return [
        p
        for p in premise_clauses(question)
        if any(claim.search(p) and not opposite.search(p) for claim, opposite in _POLARITY)
    ]


def _stated_clauses(question: str) -> list[tuple[list[str], str]]:
    """(the clauses up to it, clause) for each clause followed by another that either ends
    in 吧 or holds no question word: what the asker takes as given before asking."""
    clauses = [c.strip() for c in CLAUSE_SPLIT_RE.split(question) if c.strip()]
    return [
        (clauses[: i + 1], clause)
        for i, clause in enumerate(clauses[:-1])
        if clause.endswith("吧") or not INTERROGATIVE_RE.search(clause)
    ]


def premise_clauses(question: str) -> list[str]:
    """Statements the asker takes as given, each with the clauses before it for context."""
    return ["，".join(upto).removesuffix("吧") for upto, _ in _stated_clauses(question)]


_NOT_A_ROLE = ("全部", "内部", "外部", "局部", "部分", "头部", "底部")
MIN_ROLE_COVERAGE = 0.5


def _roles(text: str) -> set[str]:
    return {r for r in ROLE_RE.findall(text) if not r.endswith(_NOT_A_ROLE)}


def conflicting_role(question: str, sentences: Sequence[str]) -> str:
    """A stated clause naming who does something (「华瑞的客诉是质量部接的」) whose closest
    evidence sentence on the same matter names someone else and not that role, or ""."""
    for _, clause in _stated_clauses(question):
        roles = _roles(clause)
        if not roles:
            continue
        terms = content_terms(ROLE_RE.sub(" ", clause))
        scored = [(coverage(terms, s), s) for s in sentences if _roles(s)]
        if not scored:
            continue
        best_cover, best = max(scored)
        if best_cover >= MIN_ROLE_COVERAGE and roles.isdisjoint(_roles(best)):
            return clause.removesuffix("吧")
    return ""


def conflicting_premise(question: str, sentences: Sequence[str]) -> str:
    """The premise a close evidence sentence states the opposite of, or ""."""
    for premise in claimed_premises(question):
        for claim, opposite in _POLARITY:
            if not claim.search(premise) or opposite.search(premise):
                continue
            terms = content_terms(claim.sub(" ", premise))
            for sentence in sentences:
                if opposite.search(sentence) and coverage(terms, sentence) >= MIN_PREMISE_COVERAGE:
                    return premise
    return ""
