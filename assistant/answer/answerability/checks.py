"""When to say "the sources do not cover this" instead of answering.

Checks, any one refuses: a standard or scheme the question names is nowhere in the
evidence (ISO 14001, IATF 16949 …); the question's own figures contradict the evidence
(「有效期10年对吧？」); no evidence sentence has the kind of fact asked for (a duration for
多久 …); a premise the sources state the opposite of; and, last, the confidence model
(``confidence.py``) over retrieval signals, including how close the question is to subjects
we know the sources do not cover (``off_topic.txt``: 劳动合同, 驾驶证, ISO 45001 …).
"""

from __future__ import annotations

import re
from collections.abc import Container, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from assistant.answer.compose import Draft
from assistant.answer.confidence import (
    EVIDENCE_HITS,
    FOCUSED_SHAPES,
    ConfidenceModel,
    Features,
    Lexicon,
    measure,
)
from assistant.answer.premise import (
    conflicting_premise,
    conflicting_role,
    missing_values,
    unfocused_fact,
)
from assistant.answer.text import (
    Shape,
    asked_clauses,
    content_terms,
    coverage,
    named_codes,
    scheme_names,
    split_sentences,
)
from assistant.embedding.encoder import Encoder
from assistant.refs import PROCEDURE_RE, NumeralError, cn_to_int
from assistant.retrieval.lexical import tokenize
from assistant.schema import Hit

OFF_TOPIC_FILE = Path(__file__).with_name("off_topic.txt")
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


@dataclass(frozen=True)
class Verdict:
    refuse: bool
    reason: str = ""
    message: str = ""
    features: Features = field(default_factory=Features)


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
    question = question.replace("多少号人", "多少人")  # colloquial headcount
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
        # 「定多少目标」 is answered by 「目标通常为100%」: a value stated for the noun
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


class OffTopicSubjects:
    """Subjects the sources do not cover, embedded once; a question's closeness to them."""

    def __init__(self, encoder: Encoder, path: Path = OFF_TOPIC_FILE) -> None:
        self.encoder = encoder
        lines = path.read_text(encoding="utf-8").splitlines()
        self.subjects = [s.strip() for s in lines if s.strip() and not s.startswith("#")]

    @cached_property
    def vectors(self) -> np.ndarray:
        return self.encoder.embed_passages(self.subjects)

    def closeness(self, query_vector: np.ndarray) -> float:
        return float(np.max(self.vectors @ query_vector)) if self.subjects else 0.0


class RefusalPolicy:
    def __init__(self, model: ConfidenceModel | None) -> None:
        """``model``: the fitted confidence model (``ConfidenceModel.load()``); ``None``
        leaves only the hard checks, which is what the calibration measures first."""
        self.model = model

    def judge(
        self,
        question: str,
        expanded: str,
        hits: list[Hit],
        draft: Draft,
        shape: Shape,
        lexicon: Lexicon,
        known_codes: Container[str] = (),
        ref_named: bool = False,
        premise_hits: list[Hit] | None = None,
        off_topic: float = 0.0,
    ) -> Verdict:
        """``expanded``: the question with glossary terms; ``lexicon``: the lexical index;
        ``known_codes``: document codes in the index (HR-QP-05 …); ``premise_hits``: what a
        search for the question's own premise found (see ``claimed_premises``);
        ``off_topic``: the question's cosine to the closest uncovered subject."""
        if not hits:
            return Verdict(True, "no_evidence", "资料库中没有找到相关内容。")
        sentences = evidence_sentences(hits)
        features = measure(question, expanded, hits, sentences, shape, lexicon, off_topic)
        evidence = evidence_text(hits)
        upper = evidence.upper()
        unknown_documents = [
            m.group(1) for m in PROCEDURE_RE.finditer(question) if m.group(1) not in known_codes
        ]
        if unknown_documents:
            names = "、".join(unknown_documents)
            return Verdict(
                True,
                "unknown_document",
                f"资料库中没有收录「{names}」这份文件，无法回答其内容。",
                features,
            )
        unknown_schemes = sorted(
            code for code in named_codes(question) - _KNOWN_CODES if not _mentions(code, upper)
        )
        # a scheme named in Chinese, in no evidence and in words the sources never use
        unknown_schemes += [
            name
            for name in scheme_names(question)
            if name not in evidence and not _in_vocabulary(name, lexicon.vocabulary)
        ]
        if unknown_schemes:
            names = "、".join(unknown_schemes)
            return Verdict(
                True,
                "unknown_scheme",
                f"资料库中没有关于「{names}」的内容，无法据此回答。",
                features,
            )
        close = sentences + evidence_sentences(premise_hits or [])
        figures = contradicted_figures(question, close)
        if figures:
            return Verdict(
                True,
                "false_premise",
                f"问题里的「{'、'.join(figures)}」与资料中的规定不一致，"
                "无法按这个前提回答；请以下列资料原文为准。",
                features,
            )
        premise = conflicting_premise(question, close) or conflicting_role(question, close)
        if premise:
            return Verdict(
                True,
                "false_premise",
                f"资料中的规定与问题的前提「{premise}」不符，无法按这个前提回答；"
                "请以下列资料原文为准。",
                features,
            )
        # 「能不能删掉几台」: in a yes/no question 几 means "a few", not "how many"
        units = unanswered_units(question, evidence) if shape is not Shape.yes_no else []
        if ref_named:  # the named article answers, unless it lacks the count asked for
            if units:
                return Verdict(
                    True,
                    "fact_not_found",
                    f"资料中没有问题所问的「{'、'.join(units)}」，不做推测。",
                    features,
                )
            return Verdict(False, features=features)
        values = missing_values(question, evidence)
        if values:
            return Verdict(
                True,
                "value_not_found",
                f"资料中没有问题所问的具体{'、'.join(values)}，不做推测。",
                features,
            )
        # a missing amount is a missing answer; for other shapes (who, what happens …) the
        # sources often answer in words the shape patterns do not know
        no_amount = shape in (Shape.money, Shape.quantity) and not draft.shape_ok
        unfocused = shape in FOCUSED_SHAPES and unfocused_fact(question, sentences, shape)
        if no_amount or units or unfocused:
            return Verdict(
                True,
                "fact_not_found",
                "资料中没有找到问题所问的具体信息（如期限、数额、数量或负责部门），不做推测。",
                features,
            )
        if self.model is not None and self.model.refuses(features):
            if features.off_topic_margin > 0:
                return Verdict(
                    True,
                    "out_of_scope",
                    "这个问题超出了资料库的范围（生产许可证、ISO 9001、本公司程序），无法回答。",
                    features,
                )
            return Verdict(
                True, "low_confidence", "现有资料不足以可靠地回答这个问题，不做推测。", features
            )
        return Verdict(False, features=features)
