"""What can be checked in a question against its evidence: a scheme, document or company the
sources never name; figures the sources state otherwise; the asked kind of fact missing
(premise.py). Each check is a finding the answerability model weighs (policy.py), not a
refusal by itself: a check that misfires on a phrasing it was not written for then cannot
refuse alone.
"""

from __future__ import annotations

import re
from collections.abc import Container, Sequence
from dataclasses import dataclass
from functools import cache

from assistant.answer.answerability.model import EVIDENCE_HITS, FOCUSED_SHAPES, Lexicon
from assistant.answer.answerability.premise import unfocused_fact
from assistant.answer.compose import Draft
from assistant.refs import PROCEDURE_RE, NumeralError, cn_to_int
from assistant.retrieval.lexical import tokenize
from assistant.schema import Hit
from assistant.scope import TRADE_NAME_CHARS
from assistant.text.analysis import (
    FUNCTION_CHARS,
    Shape,
    asked_clauses,
    content_terms,
    coverage,
    named_codes,
    scheme_names,
    split_sentences,
)
from assistant.text.lexicon import alternation, either, words

FIGURE_SLACK = 0.15  # sentences this close to the best match on a figure's matter count too
_KNOWN_CODES = {"XK", "QS", "ISO", "GB", "GB/T", "CNAS", "HR", "QP", "WI", "QR", "SPC", "PDCA"}
_QUANTITY_RE = re.compile(
    r"(?<![A-Za-z0-9.\-哪几每])(\d+(?:\.\d+)?|[一二两三四五六七八九十]+)(个)?"
    r"(年|个月|月|天|日|小时|工作日|周|次|批|级|名|人|分|%|％)"
)
# 「几个内审员」「多少欧」: the unit or noun right after the question word must be in the evidence
# 「多久评一次」 asks a frequency; its 一次 is no figure the asker claims
_ASKED_FREQUENCY_RE = re.compile(r"(?:多久|多长时间|几[年个月天周]+)[^，。？?！!]{0,6}?一次")
# 「哪几样」「举几个例子」 ask for a list, 「这几个月」「补写几份」 mean "a few": not a count
_ASKED_UNIT_RE = re.compile(
    r"(?<![哪举列说这那前近好写做])(?:几|多少)(个|名|位|家|台|种|项)?"
    # 「多少算高风险」「多少才合格」: a verb follows, so nothing is counted
    r"(?![算是才就为能可要会合])([\u4e00-\u9fffA-Za-z]{1,3})"
)
_NUMBER_THEN = r"(?:\d+(?:\.\d+)?|[一二两三四五六七八九十百千万]+)"


def evidence_text(hits: list[Hit]) -> str:
    return "\n".join(f"{h.title} {h.ref} {h.text}" for h in hits[:EVIDENCE_HITS])


def evidence_sentences(hits: list[Hit]) -> list[str]:
    return [s for h in hits[:EVIDENCE_HITS] for s in split_sentences(h.text)]


def _quantities(text: str) -> list[tuple[str, str]]:
    found = []
    for match in _QUANTITY_RE.finditer(text):
        number = match.group(1)
        try:
            value = number if any(c.isdigit() for c in number) else str(cn_to_int(number))
        except NumeralError:
            continue
        unit = match.group(3).replace("％", "%").replace("天", "日")  # 20天 = 二十日
        found.append((value, "个月" if unit == "月" and match.group(2) else unit))
    return found


# 「公司一年的客诉目标」 means "annual", 「进了一批电线」「让他一个人开」 "a batch", "alone":
# no claimed figure
_PER_PERIOD_RE = re.compile(r"一(?:年|个月|天)(?=的|里|下来|到头)|一(?=批|名|个?人)")


def figure_claims(question: str) -> list[str]:
    """Clauses that state a figure (「这段时间算不算在20天的办理期限里」): worth a search of
    their own, since the article that holds the figure need not be the one that answers."""
    question = _PER_PERIOD_RE.sub(" ", _ASKED_FREQUENCY_RE.sub(" ", question))
    clauses = re.split(r"[，,。；;？?！!]+", question)
    return [c for c in clauses if _quantities(c)]


def _same(unit: str) -> set[str]:
    return {unit, "个月"} if unit in ("月", "个月") else {unit}


def _as_duration(value: str, unit: str) -> tuple[str, str]:
    return (value, "个月" if unit == "月" else unit)  # 3月 and 3个月 compare equal


def _figures_closest_to(
    terms: set[str], measured: Sequence[tuple[str, list[tuple[str, str]]]], units: set[str]
) -> set[tuple[str, str]]:
    """The figures held by the sentences with a figure of these units that best cover
    ``terms`` (within ``FIGURE_SLACK`` of the best)."""
    scored = [
        (coverage(terms, s), {_as_duration(v, u) for v, u in found})
        for s, found in measured
        if any(u in units for _, u in found)
    ]
    top = max((c for c, _ in scored), default=0.0)
    return set().union(*(f for c, f in scored if c >= top - FIGURE_SLACK))


def contradicted_figures(question: str, sentences: Sequence[str]) -> list[str]:
    """Figures the question asserts (「有效期3年」) that the sentences on the same matter do
    not state: the closest sentences (by the clause's other terms) holding a figure of the same
    unit must hold this one, so 「3年」 is not vouched for by a 3-year rule elsewhere."""
    measured = [(s, _quantities(s)) for s in sentences]
    whole = content_terms(_QUANTITY_RE.sub(" ", question))
    missing = []
    for clause in figure_claims(question):
        # the matter as the clause words it, or as the whole question does (「检验检测的时间，
        # 算不算在20天的办理期限里」: the clause alone is too generic to find the rule)
        matters = (content_terms(_QUANTITY_RE.sub(" ", clause)), whole)
        for value, unit in _quantities(clause):
            units = _same(unit)
            close = set().union(*(_figures_closest_to(t, measured, units) for t in matters))
            if not any(_as_duration(value, u) in close for u in units):
                missing.append(f"{value}{unit}")
    return missing


# narrower than INTERROGATIVE_RE: a clause with 是否 / 能不能 does not make the clauses before
# it scene-setting here, so the count check keeps reading them
_ASKS_FOR_VALUE_RE = re.compile(r"[吗呢么啥谁哪几]|什么|怎|如何|多久|多少")


def unanswered_units(question: str, evidence: str) -> list[str]:
    """「多少欧每公里」 needs 「… 欧」 in the evidence; 「几名内审员」 needs a count of 内审员."""
    missing = []
    for match in (
        m for c in asked_clauses(question, _ASKS_FOR_VALUE_RE) for m in _ASKED_UNIT_RE.finditer(c)
    ):
        measure, noun = match.group(1) or "", match.group(2)
        unit = measure or noun[:1]
        if not measure and unit in "个次年月天日号周级批分条步类项钱罚费":
            continue  # durations, dates, money and generic counts are other checks' job
        if measure == "个":
            unit = noun[:2]  # 「几个内审员」: the count must be of 内审员
        counted = _NUMBER_THEN + "[个名位]?" + re.escape(noun[:2])  # 两名专职检验员
        if noun.startswith("人") or unit.startswith("人"):
            counted = _NUMBER_THEN + "[名位人]"  # 「派几个人」: 两名以上工作人员
        # 「定多少指标」 is answered by 「指标为98%」: a value stated for the noun
        stated = re.escape(noun[:2]) + r"[^。；，\n]{0,6}?\d"
        answered = (_NUMBER_THEN + re.escape(unit), counted, stated)
        if not any(re.search(pattern, evidence) for pattern in answered):
            missing.append(f"{match.group(0)}")
    return missing


def _mentions(code: str, evidence_upper: str) -> bool:
    return re.search(rf"(?<![A-Z0-9]){re.escape(code)}(?![A-Z0-9])", evidence_upper) is not None


def _in_vocabulary(phrase: str, vocabulary: Container[str]) -> bool:
    """Every bigram of ``phrase`` occurs somewhere in the sources."""
    return all(bigram in vocabulary for bigram in tokenize(phrase))


@cache
def _company_re() -> re.Pattern[str]:
    """Two characters, then a trade tail (电缆 …) and/or a legal form (有限公司 …); not a
    one-character form (厂: 「来厂里」「隔壁厂」 name no company)."""
    tails = alternation("trade_tails")
    forms = either(f for f in words("org_forms") if len(f) > 1)
    return re.compile(
        rf"([\u4e00-\u9fff]{{{TRADE_NAME_CHARS}}})(?:(?:{tails})(?:{forms})?|(?:{forms}))"
    )


def unknown_companies(question: str, vocabulary: Container[str]) -> list[str]:
    """Names shaped like a company's (宏达电缆, 永泰电器有限公司) whose trade name the sources
    never use: a company the index knows nothing of. Not the asker's own (咱们), nor two
    characters with a function word in them (们的电缆)."""
    return [
        match.group(0)
        for match in _company_re().finditer(question)
        if (name := match.group(1)) not in vocabulary
        and name not in words("first_person")
        and not FUNCTION_CHARS & set(name)
    ]


@dataclass(frozen=True)
class Findings:
    """What each check found (empty / False: nothing); ``policy.refusal_for`` words the
    refusal after the first, in its order."""

    unknown_documents: list[str]
    unknown_schemes: list[str]
    figures: list[str]  # figures the question states that the sources on its matter do not
    units: list[str]  # 「几名内审员」: the counted noun with no count in the evidence
    no_amount: bool
    unfocused: bool
    ref_named: bool
    unknown_companies: list[str]

    def flags(self) -> dict[str, float]:
        """The findings as the model's inputs (named as in ``Features``)."""
        return {
            "unknown_document": float(bool(self.unknown_documents)),
            "unknown_scheme": float(bool(self.unknown_schemes)),
            "contradicted_figure": float(bool(self.figures)),
            "unanswered_unit": float(bool(self.units)),
            "no_amount": float(self.no_amount),
            "unfocused": float(self.unfocused),
            "ref_named": float(self.ref_named),
            "unknown_company": float(bool(self.unknown_companies)),
        }


def find(
    question: str,
    hits: list[Hit],
    sentences: Sequence[str],
    draft: Draft,
    shape: Shape,
    lexicon: Lexicon,
    known_codes: Container[str],
    ref_named: bool,
    premise_hits: list[Hit] | None,
) -> Findings:
    """Every check on the question against its evidence (``sentences``: the hits' own,
    ``evidence_sentences``; ``premise_hits``: what a search for its stated figures found,
    where a contradicted figure is looked for too)."""
    evidence = evidence_text(hits)
    upper = evidence.upper()
    unknown_schemes = sorted(
        code for code in named_codes(question) - _KNOWN_CODES if not _mentions(code, upper)
    )
    # a scheme named in Chinese, in no evidence and in words the sources never use
    unknown_schemes += [
        name
        for name in scheme_names(question)
        if name not in evidence and not _in_vocabulary(name, lexicon.vocabulary)
    ]
    close = [*sentences, *evidence_sentences(premise_hits or [])]
    return Findings(
        unknown_documents=[
            m.group(1) for m in PROCEDURE_RE.finditer(question) if m.group(1) not in known_codes
        ],
        unknown_schemes=unknown_schemes,
        figures=contradicted_figures(question, close),
        # 「能不能删掉几台」: in a yes/no question 几 means "a few", not "how many"
        units=unanswered_units(question, evidence) if shape is not Shape.yes_no else [],
        # a missing amount is a missing answer; for other shapes (who, what happens …)
        # the sources often answer in words the shape patterns do not know
        no_amount=shape in (Shape.money, Shape.quantity) and not draft.shape_ok,
        unfocused=shape in FOCUSED_SHAPES and unfocused_fact(question, sentences, shape),
        ref_named=ref_named,
        unknown_companies=unknown_companies(question, lexicon.vocabulary),
    )
