"""Find question material in passages: each fact is a short exact span and the key in it."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from assistant.quiz.tokens import Category, Token, tokens
from assistant.refs import CN_NUMERAL, NumeralError, cn_to_int
from assistant.schema import Chunk
from assistant.text.analysis import is_preface, split_sentences, tagged_words
from assistant.text.lexicon import alternation, words

MIN_SPAN = 12
_ARTICLE_HEAD_RE = re.compile(
    rf"^(?:第[{CN_NUMERAL}\d]+条\s*(?:【[^】]*】\s*)*|[（(][{CN_NUMERAL}\d]+[）)]\s*)"
)
_LABEL_HEAD_RE = re.compile(rf"^(?:{alternation('label_heads')})[：:]\s*")
_CLAUSE_END_RE = re.compile(r"(?<=[，；：])")
_ACTIONS = (
    "负责 批准 组织 主持 填写 发放 审核 签发 受理 确认 实施 编制 汇总 保存 评审 制定 审批 决定 "
    "备案 登记 通知 复核 核实 公布 抽查"
)
_ACTION_RE = re.compile(f"^(?:{'|'.join(_ACTIONS.split())})")
_TERM_RE = re.compile(r"“?([^，。；：、（）“”《》\s]{2,14})”?，?(?:是指|指的是)")
_QUOTED_RE = re.compile(r"“([^“”，。；：、\s]{2,8})”")
_ENUM_RE = re.compile(
    r"[^\s，。；：、（）“”《》]{2,16}(?:、[^\s，。；：、（）“”《》]{2,12}){2,}(?=[\s，。；：（）“”《》]|$)"
)
_ITEM_LEAD_RE = re.compile(r"^(?:包括|包含|例如|比如|如|涉及|含|有|为|是|对)")
_ITEM_TAIL_RE = re.compile(r"(?:和|及|以及|与|或)")
_ITEM_SPLIT_RE = re.compile(r"、|和|以及|及|与|或")
_BAD_ITEM_RE = re.compile(r"哪|什么|吗|？|[要的是等]$")
_NOT_MODAL_BEFORE = "和、的"
_COUNT_UNITS = ("次", "项", "件", "批", "名", "人")
_ONE_RE = re.compile(r"^[一1][个]?")
MAX_ITEM = 8
MAX_FIRST_ITEM = 6
# after 「；」 a sentence goes on with its clause's subject (「…的，责令改正；到期仍不改的，…」)
_CONTINUED_AFTER = ("；", ";")
# a line led by a form or procedure code is a record list entry (「HLJ-03-01 生产设备台账（…）」)
_CODE_LED_RE = re.compile(r"^(?:[A-Z]{2,}[A-Z0-9]*-[A-Z0-9]|ISO )")
_CLAUSE_ENDS = ("，", "；")  # cut off the span: 「…30天内落实措施；」 is asked without it
_LIST_INTRO_ENDS = ("：", ":")  # 「…具体包括：」 announces what follows: nothing to judge


@cache
def _claimed_count_re() -> re.Pattern[str]:
    # 「第三条」 names an article, it counts nothing
    return re.compile(
        rf"(?<![第{CN_NUMERAL}\d])([{CN_NUMERAL}\d]+)(?:{alternation('count_classifiers')})"
    )


def claimed_count(lead: str) -> int | None:
    """The number of items the text before a list announces (「处置方式有四种：」 → 4), if any."""
    found = _claimed_count_re().findall(lead)
    if not found:
        return None
    try:
        return cn_to_int(found[-1]) if not found[-1].isdigit() else int(found[-1])
    except NumeralError:
        return None


def is_fragment(span: str) -> bool:
    """A span that is not a proposition: it opens with an example or a list continuation
    (「例如…」「以及…」), or it announces a list (ends on 「：」)."""
    return span.startswith(words("example_openers")) or span.endswith(_LIST_INTRO_ENDS)


@dataclass(frozen=True)
class Fact:
    chunk: Chunk
    category: Category
    span: str
    key: str
    key_start: int  # within span
    items: tuple[str, ...] = field(default=())
    sentence: str = ""  # the whole sentence the span is cut from: a quiz asks it once

    @property
    def key_end(self) -> int:
        return self.key_start + len(self.key)


def split_items(region: str) -> list[str]:
    """「返工、降级使用、让步接收和报废」 → its items (the validator uses this too)."""
    return [item.strip() for item in _ITEM_SPLIT_RE.split(region) if item.strip()]


def _narrow(sentence: str, start: int, end: int, max_len: int) -> tuple[int, int] | None:
    """The clauses around [start, end) that fit in ``max_len``, as (offset, end)."""
    bounds = [0, *(m.start() for m in _CLAUSE_END_RE.finditer(sentence)), len(sentence)]
    segments = [(a, b) for a, b in itertools.pairwise(bounds) if b > a]
    first = next(i for i, (a, b) in enumerate(segments) if a <= start < b)
    last = next(i for i, (a, b) in enumerate(segments) if a < end <= b)
    if segments[last][1] - segments[first][0] > max_len:
        return None
    grew = True
    while grew:
        grew = False
        for i, j in ((first, last + 1), (first - 1, last)):
            if i >= 0 and j < len(segments) and segments[j][1] - segments[i][0] <= max_len:
                first, last, grew = i, j, True
                break
    return segments[first][0], segments[last][1]


def _enumeration(sentence: str) -> tuple[int, int, list[str]] | None:
    match = _ENUM_RE.search(sentence)
    return None if match is None else _list_at(sentence, match)


def item_tokens(text: str) -> list[Token]:
    """Each item of every list in ``text``, with its position (what a false 判断 may swap)."""
    found = []
    for match in _ENUM_RE.finditer(text):
        listed = _list_at(text, match)
        if listed is None:
            continue
        start, end, items = listed
        cursor = start
        for item in items:
            at = text.find(item, cursor, end)
            found.append(Token(at, at + len(item), Category.items, item))
            cursor = at + len(item)
    return found


def _before_etc(region: str) -> int:
    """Where a list ends: at the word 等 of its last item (「电报或信函等方式提交」 lists 信函,
    not 信函等方式提交; 「化肥等」 lists 化肥), never inside a word (准确度等级)."""
    last_at = region.rfind("、") + 1
    cursor = last_at
    for word, _ in tagged_words(region[last_at:]):
        if word == "等":
            return cursor
        cursor += len(word)
    return len(region)


def _list_at(sentence: str, match: re.Match[str]) -> tuple[int, int, list[str]] | None:
    start, end = match.span()
    first = match.group(0).split("、", 1)[0]
    lead = _ITEM_LEAD_RE.match(first)
    if lead:
        start += lead.end()
        first = first[lead.end() :]
    if len(first) > MAX_FIRST_ITEM:  # 「适用于进货检验」: drop the run-in first item
        start += len(first) + 1
    end = start + _before_etc(sentence[start:end])
    last = sentence[start:end].rsplit("、", 1)[-1]
    tail = _ITEM_TAIL_RE.search(last)
    if len(last) > MAX_ITEM and tail is None:
        end -= len(last) + 1
    items = split_items(sentence[start:end])
    if len(items) < 3 or any(not 2 <= len(i) <= MAX_ITEM or _BAD_ITEM_RE.search(i) for i in items):
        return None
    return start, end, items


def _is_plain_one(sentence: str, start: int, token: str) -> bool:
    """「每一项」「一次设计」「最近一次」: 一 as a word, not a count worth asking about;
    「至少一次」 stays."""
    if not _ONE_RE.match(token) or not token.endswith(_COUNT_UNITS):
        return False
    return not sentence[max(0, start - 2) : start].endswith(("至少", "每年", "每月", "每季度"))


def _candidates(sentence: str) -> Iterable[tuple[Category, int, int, tuple[str, ...]]]:
    for token in tokens(sentence):
        if token.category is Category.role:
            after = sentence[token.end : token.end + 4]
            before = sentence[max(0, token.start - 1) : token.start]
            if not (_ACTION_RE.match(after) or before in ("由", "经")):
                continue
        before = sentence[max(0, token.start - 1) : token.start]
        if token.category is Category.modal and before and before in _NOT_MODAL_BEFORE:
            continue
        if _is_plain_one(sentence, token.start, token.text):
            continue
        yield token.category, token.start, token.end, ()
    for match in _TERM_RE.finditer(sentence):
        term = match.group(1).rsplit("所称", 1)[-1]
        if len(term) >= 2:
            yield Category.term, match.end(1) - len(term), match.end(1), ()
    for match in _QUOTED_RE.finditer(sentence):  # 「“接单”环节」: a named concept
        yield Category.term, match.start(1), match.end(1), ()
    found = _enumeration(sentence)
    if found:
        start, end, items = found
        yield Category.items, start, end, tuple(items)


def extract(chunk: Chunk, max_span: int = 100) -> list[Fact]:
    """Facts of one passage, in reading order; every span is an exact substring. A document's
    opening and its purpose or scope section (「适用于…」, 「规范…的编制」, amendment dates) state
    no rule a trainee must know: nothing is asked from them."""
    if is_preface(chunk.title, chunk.ref, chunk.section):
        return []
    facts: list[Fact] = []
    cursor = 0
    for raw in split_sentences(chunk.text):
        at = chunk.text.find(raw, cursor)
        if at < 0:
            continue
        continues = chunk.text[:at].rstrip().endswith(_CONTINUED_AFTER)
        cursor = at + len(raw)
        head = _ARTICLE_HEAD_RE.match(raw) or _LABEL_HEAD_RE.match(raw)
        sentence = raw[head.end() :] if head else raw
        if continues or len(sentence) < MIN_SPAN or _CODE_LED_RE.match(sentence) or "|" in sentence:
            continue
        for category, start, end, items in _candidates(sentence):
            bounds = _narrow(sentence, start, end, max_span)
            if bounds is None:
                continue
            offset, stop = bounds
            if sentence[offset:stop].endswith(_CLAUSE_ENDS):
                stop -= 1
            span = sentence[offset:stop]
            if len(span) < MIN_SPAN or len(span) - (end - start) < 6:
                continue
            if offset > 0 or is_fragment(span):  # starts mid-sentence: its subject is cut off
                continue
            key = sentence[start:end]
            facts.append(Fact(chunk, category, span, key, start - offset, items, sentence))
    return facts
