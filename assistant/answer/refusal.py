"""When to say "the sources do not cover this" instead of answering.

Four checks, any one refuses: a standard or scheme the question names is nowhere in the
evidence (ISO 14001, IATF 16949 …); the question's own figures contradict the evidence
(「有效期10年对吧？」); no evidence sentence has the kind of fact asked for (a duration for
多久 …); retrieval confidence (top cosine, share of the question's terms found) is below
thresholds calibrated on labelled dev questions (``certguide calibrate``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Container
from dataclasses import dataclass
from pathlib import Path

from assistant.answer.extractive import Draft
from assistant.answer.premise import conflicting_premise, missing_values, unfocused_fact
from assistant.answer.text import Shape, content_terms, coverage, named_codes, split_sentences
from assistant.refs import PROCEDURE_RE, NumeralError, cn_to_int
from assistant.schema import Hit

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")
EVIDENCE_HITS = 5
_KNOWN_CODES = {"XK", "QS", "ISO", "GB", "GB/T", "CNAS", "HR", "QP", "WI", "QR", "SPC", "PDCA"}
_QUANTITY_RE = re.compile(
    r"(?<![A-Za-z0-9.\-])(\d+(?:\.\d+)?|[一二两三四五六七八九十]+)(个)?"
    r"(年|个月|月|天|日|小时|工作日|周|次|批|级|名|%|％)"
)
# 「几个内审员」「多少欧」: the unit or noun right after the question word must be in the evidence
_ASKED_UNIT_RE = re.compile(r"(?:几|多少)(个|名|位|家|台|种|项)?([\u4e00-\u9fffA-Za-z]{1,3})")
_NUMBER_THEN = r"(?:\d+(?:\.\d+)?|[一二两三四五六七八九十百千万]+)"
_FOCUSED_SHAPES = (Shape.duration, Shape.frequency, Shape.quantity, Shape.money)


@dataclass(frozen=True)
class Thresholds:
    min_similarity: float = 0.88
    min_coverage: float = 0.30
    min_vocabulary: float = 0.60

    @classmethod
    def load(cls, path: Path = CALIBRATION_FILE) -> Thresholds:
        if not path.is_file():
            return cls()
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            float(data["min_similarity"]),
            float(data["min_coverage"]),
            float(data["min_vocabulary"]),
        )


@dataclass(frozen=True)
class Features:
    """similarity: best cosine among the evidence; coverage: best share of the question's
    terms found in one passage; vocabulary: share of the question's terms that occur
    anywhere in the index (out-of-scope questions use words the sources never do)."""

    similarity: float = 0.0
    coverage: float = 0.0
    vocabulary: float = 0.0


@dataclass(frozen=True)
class Verdict:
    refuse: bool
    reason: str = ""
    message: str = ""
    features: Features = Features()


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
        unit = match.group(3).replace("％", "%")
        found.append((value, "个月" if unit == "月" and match.group(2) else unit))
    return found


def contradicted_figures(question: str, evidence: str) -> list[str]:
    """Figures the question asserts (「60天内关闭」) that the evidence never states."""
    stated = set(_quantities(evidence))
    missing = []
    for value, unit in _quantities(question):
        if (value, unit) in stated or (unit == "月" and (value, "个月") in stated):
            continue
        missing.append(f"{value}{unit}")
    return missing


def unanswered_units(question: str, evidence: str) -> list[str]:
    """「多少欧每公里」 needs 「… 欧」 in the evidence; 「几名内审员」 needs a count of 内审员."""
    missing = []
    for match in _ASKED_UNIT_RE.finditer(question):
        measure, noun = match.group(1) or "", match.group(2)
        unit = measure or noun[:1]
        if not measure and unit in "个次年月天日号周级批分条步类项钱":
            continue  # durations, dates, money and generic counts are other checks' job
        if measure == "个":
            unit = noun[:2]  # 「几个内审员」: the count must be of 内审员
        if not re.search(_NUMBER_THEN + re.escape(unit), evidence) and not re.search(
            _NUMBER_THEN + "个?" + re.escape(noun[:2]), evidence
        ):
            missing.append(f"{match.group(0)}")
    return missing


def _mentions(code: str, evidence_upper: str) -> bool:
    return re.search(rf"(?<![A-Z0-9]){re.escape(code)}(?![A-Z0-9])", evidence_upper) is not None


class RefusalPolicy:
    def __init__(self, thresholds: Thresholds | None = None) -> None:
        self.thresholds = thresholds or Thresholds.load()

    @staticmethod
    def features(
        question: str, expanded: str, hits: list[Hit], vocabulary: Container[str]
    ) -> Features:
        if not hits:
            return Features()
        terms = content_terms(expanded)
        own_terms = content_terms(expanded)
        similarity = max((h.similarity or 0.0) for h in hits[:EVIDENCE_HITS])
        best_cover = max(coverage(terms, f"{h.title} {h.text}") for h in hits[:EVIDENCE_HITS])
        known = sum(1 for t in own_terms if t in vocabulary) / max(len(own_terms), 1)
        return Features(similarity, best_cover, known if own_terms else 1.0)

    def judge(
        self,
        question: str,
        expanded: str,
        hits: list[Hit],
        draft: Draft,
        shape: Shape,
        vocabulary: Container[str],
        known_codes: Container[str] = (),
        ref_named: bool = False,
        premise_hits: list[Hit] | None = None,
    ) -> Verdict:
        """``expanded``: the question with glossary terms; ``vocabulary``: the index's terms;
        ``known_codes``: document codes in the index (HR-QP-05 …); ``premise_hits``: what a
        search for the question's own premise found (see ``claimed_premises``)."""
        if not hits:
            return Verdict(True, "no_evidence", "资料库中没有找到相关内容。")
        features = self.features(question, expanded, hits, vocabulary)
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
        missing_codes = sorted(
            code for code in named_codes(question) - _KNOWN_CODES if not _mentions(code, upper)
        )
        if missing_codes:
            names = "、".join(missing_codes)
            return Verdict(
                True,
                "unknown_scheme",
                f"资料库中没有关于「{names}」的内容，无法据此回答。",
                features,
            )
        figures = contradicted_figures(question, evidence)
        if figures:
            return Verdict(
                True,
                "false_premise",
                f"问题里的「{'、'.join(figures)}」与资料中的规定不一致，"
                "无法按这个前提回答；请以下列资料原文为准。",
                features,
            )
        sentences = evidence_sentences(hits)
        premise = conflicting_premise(question, sentences + evidence_sentences(premise_hits or []))
        if premise:
            return Verdict(
                True,
                "false_premise",
                f"资料中的规定与问题的前提「{premise}」不符，无法按这个前提回答；"
                "请以下列资料原文为准。",
                features,
            )
        if ref_named:
            return Verdict(False, features=features)
        # 「能不能删掉几台」: in a yes/no question 几 means "a few", not "how many"
        units = unanswered_units(question, evidence) if shape is not Shape.yes_no else []
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
        unfocused = shape in _FOCUSED_SHAPES and unfocused_fact(question, sentences, shape)
        if no_amount or units or unfocused:
            return Verdict(
                True,
                "fact_not_found",
                "资料中没有找到问题所问的具体信息（如期限、数额、数量或负责部门），不做推测。",
                features,
            )
        t = self.thresholds
        if (
            features.similarity < t.min_similarity
            or features.coverage < t.min_coverage
            or features.vocabulary < t.min_vocabulary
        ):
            return Verdict(
                True, "low_confidence", "现有资料不足以可靠地回答这个问题，不做推测。", features
            )
        return Verdict(False, features=features)
