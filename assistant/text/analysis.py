"""Chinese text analysis shared by the answer, the reranker, quizzes and gaps: sentences,
question shapes, content terms, support.

No model calls here: everything is lexical and fast, so composing an answer adds
milliseconds, not another embedding pass, on top of retrieval.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from enum import StrEnum
from functools import cache, lru_cache

from assistant.refs import NumeralError, cn_to_int, find_refs
from assistant.retrieval.lexical import tokenize
from assistant.text.lexicon import alternation, either, table, words

_SENTENCE_END_RE = re.compile(r"(?<=[。！？；!?])|\n+")
FUNCTION_CHARS = set(
    "的了吗呢吧啊呀是要有在和与及或么什怎哪谁几多少请问下我们咱你他她它这那个些吧嘛就都也还"
    "能会可该应得把被给对让从到于以为之其此么样啥咋"
)
NUMBER_RE = re.compile(
    r"\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千万半]+(?=[个年月日天周小时工作次级批名项倍%％元])"
)
_TIME_RE = re.compile(
    r"(?<![A-Za-z0-9.\-])(\d+(?:\.\d+)?|[一二两三四五六七八九十半]+)个?(?:年|月|日|天|小时|工作日|周|星期)"
    r"|每年|每半年|每季度|每月|每周|当天|当日|当班|立即|届满前"
)
_FREQUENCY_RE = re.compile(
    r"每(?:隔)?(?:\d+|[一二两三四五六七八九十半])?个?(?:年|月|季度|周|天|日|批|班)|每半年|至少.{0,12}一次"
    r"|一年一次|(?:\d+|[一二两三四五六七八九十])个?月(?:一次|内至少)|定期|按(?:年|季度?|月|周|天|日|批|班)"
    # 「复审周期一般不超过五年」: a stated cycle is how often
    r"|周期[^。；]{0,8}?(?:\d+|[一二两三四五六七八九十半])个?(?:年|月|季度|周|天|日)"
)
# an amount, not the word 罚款: 「并处罚款」 does not say how much
_MONEY_RE = re.compile(r"[\d一二两三四五六七八九十百千万]\s*(?:元|倍)|%|％")
_COUNT_RE = re.compile(r"\d|[一二两三四五六七八九十]")


class Shape(StrEnum):
    frequency = "frequency"
    duration = "duration"
    quantity = "quantity"
    money = "money"
    steps = "steps"
    difference = "difference"
    responsible = "responsible"
    consequence = "consequence"
    yes_no = "yes_no"
    definition = "definition"
    enumeration = "enumeration"
    other = "other"


def _words_of(name: str, row: str, pattern: str = "") -> re.Pattern[str]:
    """The words of one row of a 「name | words」 list as one pattern, longest first, and
    ``pattern`` for the marks words cannot say."""
    found = next(columns[1] for columns in table(name) if columns[0] == (row,))
    return re.compile("|".join(filter(None, (either(found), pattern))))


# 「比较合适」「比较多」: 比较 as "fairly", not "compare"
DIFFERENCE_RE = _words_of(
    "question_shapes", "difference", r"比较(?![合好多少常大小快慢高低难容重长短稳方])"
)
_SHAPE_PATTERNS: tuple[tuple[Shape, re.Pattern[str]], ...] = (
    (Shape.enumeration, _words_of("question_shapes", "enumeration")),
    (Shape.frequency, _words_of("question_shapes", "frequency", r"多久.{0,4}一次")),
    (
        Shape.money,
        _words_of("question_shapes", "money", r"(?:费用|收费|罚款)(?:标准|是|要|大概|一般)?多少"),
    ),
    (
        Shape.duration,
        _words_of(
            "question_shapes",
            "duration",
            # 「这几年」「好几天」「前几天」 mean "some", not "how many"
            r"(?<![这那近好])(?<![^提]前)(?<!^前)(?:几年|几个月|几天|几周|几个?星期)"
            r"|(?:几|多少)个?工作日|哪一?年(?!度)",
        ),
    ),
    (Shape.difference, DIFFERENCE_RE),
    (Shape.steps, _words_of("question_shapes", "steps")),
    (Shape.responsible, _words_of("question_shapes", "responsible")),
    (Shape.consequence, _words_of("question_shapes", "consequence")),
    (Shape.quantity, _words_of("question_shapes", "quantity")),
    (Shape.definition, _words_of("question_shapes", "definition")),
    (Shape.yes_no, _words_of("question_shapes", "yes_no", r"吗[？?]?$|必须.*吗")),
)

# What a sentence must contain to answer a question of that shape.
_SHAPE_EVIDENCE: dict[Shape, re.Pattern[str]] = {
    Shape.frequency: _FREQUENCY_RE,
    Shape.duration: _TIME_RE,
    Shape.money: _MONEY_RE,
    Shape.quantity: _COUNT_RE,
    Shape.responsible: _words_of("answer_marks", "responsible"),
    Shape.consequence: _words_of("answer_marks", "consequence"),
}


INTERROGATIVE_RE = re.compile(alternation("interrogatives"))


def asked_clauses(question: str, interrogative: re.Pattern[str] = INTERROGATIVE_RE) -> list[str]:
    """The clauses that ask: when a sentence's last clause asks (``interrogative``), the ones
    before it set the scene (「借几本记录回来对一下，要走啥手续？」: 几本 = "a few")."""
    asked = []
    for sentence in re.split(r"(?<=[？?。！!])", question):
        clauses = [c for c in re.split(r"[，,；;]", sentence) if c.strip()]
        if len(clauses) > 1 and interrogative.search(clauses[-1]):
            clauses = clauses[-1:]
        asked += clauses
    return asked


def question_shape(question: str) -> Shape:
    """The shape of what the question asks, read from the clauses that ask (「有几个月记录漏填了，
    能不能补一补」 is a yes/no question); the whole question when those say nothing."""
    for text in ("，".join(asked_clauses(question)), question):
        for shape, pattern in _SHAPE_PATTERNS:
            if pattern.search(text):
                return shape
    return Shape.other


_ENUMERATION_RE = re.compile(r"[^、，。；]{1,20}、[^、，。；]{1,20}、?")


def looks_like_list(sentence: str) -> bool:
    """「导体直流电阻、绝缘厚度和电压试验」: what a 哪些 question wants to see."""
    return bool(_ENUMERATION_RE.search(sentence))


def answers_shape(sentence: str, shape: Shape) -> bool:
    pattern = _SHAPE_EVIDENCE.get(shape)
    return True if pattern is None else bool(pattern.search(sentence))


def needs_specific_evidence(shape: Shape) -> bool:
    return shape in _SHAPE_EVIDENCE


def split_sentences(text: str) -> list[str]:
    """Sentences and list items; headings and bullets stripped of their markers."""
    parts: list[str] = []
    for raw in _SENTENCE_END_RE.split(text):
        sentence = re.sub(r"^\s*(?:[-*•]|#+)\s*", "", raw or "").strip()
        if len(sentence) >= 4:
            parts.append(sentence)
    return parts


QUESTION_WORDS_RE = re.compile(alternation("question_words"))


def content_terms(text: str) -> set[str]:
    """Bigrams and codes that carry meaning; question words split the text, so no bigram
    spans 「多久」 or 「谁」."""
    terms = set()
    for token in tokenize(QUESTION_WORDS_RE.sub(" ", text)):
        if len(token) == 1 or all(ch in FUNCTION_CHARS for ch in token):
            continue
        terms.add(token)
    return terms


def coverage(question_terms: set[str], text: str) -> float:
    if not question_terms:
        return 0.0
    return len(question_terms & set(tokenize(text))) / len(question_terms)


def weighted_coverage(weights: Mapping[str, float], present: AbstractSet[str]) -> float:
    """Share of the weight of ``weights``' terms that ``present`` holds: in 「条例从哪天起施行」
    the rare 施行 outweighs 条例, which every article's sentence repeats."""
    found = sum(weight for term, weight in weights.items() if term in present)
    return found / (sum(weights.values()) or 1.0)


_CODE_RE = re.compile(r"[A-Za-z]{2,}[A-Za-z0-9-]*|\d{3,}")


def named_codes(text: str) -> set[str]:
    """Standard numbers and scheme names (ISO, 14001, IATF, CCC): they must be in the sources."""
    return {m.group(0).upper() for m in _CODE_RE.finditer(text)}


def numbers(text: str) -> set[str]:
    """Numbers as digits (「二十日」 and 「20日」 agree); article numbers included."""
    found = set()
    for match in NUMBER_RE.finditer(text):
        value = match.group(0)
        try:
            found.add(value if value[0].isdigit() else str(cn_to_int(value)))
        except NumeralError:
            found.add(value)
    found.update(f"第{n}条" for n in find_refs(text).articles)
    return found


_NEGATION_RE = re.compile(alternation("negations"))
# every listed role, or any two characters and 部 (销售部, 资源部 …)
_ROLES = either(role for _, roles in table("roles") for role in roles)
ROLE_RE = re.compile(_ROLES + r"|[\u4e00-\u9fff]{2}部(?:经理)?")


@dataclass(frozen=True)
class Support:
    score: float
    numbers_ok: bool
    polarity_ok: bool = True
    roles_ok: bool = True

    @property
    def supported(self) -> bool:
        facts_agree = self.numbers_ok and self.polarity_ok and self.roles_ok
        return facts_agree and self.score >= SUPPORT_THRESHOLD


SUPPORT_THRESHOLD = 0.5


def support(sentence: str, passage: str) -> Support:
    """How well a passage supports a sentence: share of the sentence's bigrams found in the
    passage; numbers (and article numbers), prohibitions (不得, 禁止 …) and named roles
    (总经理, 质量部, 认证机构 …) in the sentence must all appear in the passage."""
    terms = content_terms(sentence)
    score = coverage(terms, passage) if terms else 0.0
    return Support(
        score,
        numbers(sentence) <= numbers(passage),
        set(_NEGATION_RE.findall(sentence)) <= set(_NEGATION_RE.findall(passage)),
        set(ROLE_RE.findall(sentence)) <= set(ROLE_RE.findall(passage)),
    )


_jieba_lock = threading.Lock()


def tagged_words(text: str) -> list[tuple[str, str]]:
    """jieba's words with their part-of-speech flags (n, v, vn …)."""
    import jieba.posseg as posseg

    with _jieba_lock:  # jieba's lazy initialisation is not thread-safe
        return [(pair.word.strip(), pair.flag) for pair in posseg.cut(text)]


@lru_cache(maxsize=1024)
def in_word_terms(text: str) -> frozenset[str]:
    """The bigrams that lie inside one word: in 「拿到的生产许可证」 the rare 的生 spans two words
    and says nothing about which sentence answers, 拿到 and 许可 do. Cached: the reranker and
    the composer both ask it of the same question."""
    import jieba

    with _jieba_lock:
        words = jieba.lcut(text)
    return frozenset(term for word in words if len(word) >= 2 for term in tokenize(word))


_SCHEME_WORD_RE = re.compile(r"(?:认证|体系|许可证?|认可|标志|评定|评价)$")
_MODIFIER_FLAGS = ("n", "vn", "eng", "a", "b")
_CJK_WORD_RE = re.compile(r"[\u4e00-\u9fff]{2,}")


def scheme_names(question: str) -> list[str]:
    """Schemes named in Chinese (「绿色产品认证」「两化融合管理体系」「边防许可证」): a scheme
    word with the one or two noun-like words before it, the Chinese counterpart of
    ``named_codes``."""
    words = tagged_words(question)
    names = []
    for position, (word, _) in enumerate(words):
        if not _SCHEME_WORD_RE.search(word):
            continue
        modifiers: list[str] = []
        for previous, flag in reversed(words[:position]):
            if len(modifiers) == 2 or not flag.startswith(_MODIFIER_FLAGS):
                break
            if not _CJK_WORD_RE.fullmatch(previous):
                break
            modifiers.insert(0, previous)
        if modifiers:
            names.append("".join(modifiers) + word)
    return names


@cache
def _asked_unit_patterns() -> tuple[tuple[re.Pattern[str], tuple[str, ...]], ...]:
    """(几|多少)个?<unit> and the units a sentence may answer in, longest unit first."""
    rows = sorted(table("duration_units"), key=lambda row: -len(row[0][0]))
    return tuple((re.compile(rf"(?:几|多少)个?{asked[0]}"), stated) for asked, stated in rows)


def asked_units(question: str) -> tuple[str, ...]:
    """The units a sentence must state the asked duration in: 几年 -> 年; none for 多久."""
    return next((stated for asked, stated in _asked_unit_patterns() if asked.search(question)), ())


@cache
def _stated_in(units: tuple[str, ...]) -> re.Pattern[str]:
    stated = "|".join(map(re.escape, units))
    return re.compile(rf"(?:\d+|[一二两三四五六七八九十百半]+)个?(?:{stated})")


def states_in(text: str, units: tuple[str, ...]) -> bool:
    """Whether the text states a figure in one of these units (3年, 六个月)."""
    return bool(units) and _stated_in(units).search(text) is not None


def is_preface(title: str, ref: str, section: str) -> bool:
    """A document's opening (before its first heading) or an overview/purpose/scope section
    speaks about the document (本指南写给…, 文中的时限依据…), not about the question."""
    if ref == title:
        return True
    name = section.split(">")[-1].strip().lstrip("0123456789. ").strip()
    return name in words("overview_sections")
