"""The decision whether the sources answer a question: the checks' findings (checks.py) and
the retrieval signals, weighed by one learned model (model.py); the message says why.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from assistant.answer.answerability.checks import Findings, evidence_sentences, find
from assistant.answer.answerability.model import AnswerabilityModel, Features, Lexicon, measure
from assistant.answer.compose import Draft
from assistant.schema import Hit
from assistant.text.analysis import Shape

if TYPE_CHECKING:
    from assistant.knowledge import KnowledgeBase

OFF_TOPIC_FILE = Path(__file__).with_name("off_topic.txt")


@dataclass(frozen=True)
class Verdict:
    refuse: bool
    reason: str = ""
    message: str = ""
    features: Features = field(default_factory=Features)


class OffTopicSubjects:
    """Subjects the sources do not cover, embedded once; a question's closeness to them."""

    def __init__(self, kb: KnowledgeBase, path: Path = OFF_TOPIC_FILE) -> None:
        self.kb = kb
        lines = path.read_text(encoding="utf-8").splitlines()
        self.subjects = [s.strip() for s in lines if s.strip() and not s.startswith("#")]

    @cached_property
    def vectors(self) -> np.ndarray:
        return self.kb.fixed_vectors("off-topic", self.subjects, is_query=False)

    def closeness(self, query_vector: np.ndarray) -> float:
        return float(np.max(self.vectors @ query_vector)) if self.subjects else 0.0


def refusal_for(found: Findings, features: Features) -> Verdict | None:
    """The refusal the first finding makes, in the order of ``Findings`` (a named article
    answers unless it lacks the count asked for); None when nothing was found."""
    if found.unknown_documents:
        return Verdict(
            True,
            "unknown_document",
            f"资料库中没有收录「{'、'.join(found.unknown_documents)}」这份文件，无法回答其内容。",
            features,
        )
    if found.unknown_schemes or found.unknown_companies:
        names = "、".join(found.unknown_schemes + found.unknown_companies)
        return Verdict(
            True,
            "unknown_scheme",
            f"资料库中没有关于「{names}」的内容，无法据此回答。",
            features,
        )
    if found.figures:
        return Verdict(
            True,
            "false_premise",
            f"问题里的「{'、'.join(found.figures)}」与资料中的规定不一致，无法按这个前提回答；请以下列资料原文为准。",
            features,
        )
    if found.units:
        return Verdict(
            True,
            "fact_not_found",
            f"资料中没有问题所问的「{'、'.join(found.units)}」，不做推测。",
            features,
        )
    if found.ref_named:
        return None
    if found.no_amount or found.unfocused:
        return Verdict(
            True,
            "fact_not_found",
            "资料中没有找到问题所问的具体信息（如期限、数额、数量或负责部门），不做推测。",
            features,
        )
    return None


class RefusalPolicy:
    def __init__(self, model: AnswerabilityModel | None) -> None:
        """``model``: the trained model (``AnswerabilityModel.load()``), which weighs the
        checks' findings with the retrieval signals; ``None`` refuses on any finding (the
        checks alone), which is what the trainer observes."""
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
        search for the figures the question states found (see ``figure_claims``);
        ``off_topic``: the question's cosine to the closest uncovered subject."""
        if not hits:
            return Verdict(True, "no_evidence", "资料库中没有找到相关内容。")
        sentences = evidence_sentences(hits)
        found = find(
            question, hits, sentences, draft, shape, lexicon, known_codes, ref_named, premise_hits
        )
        features = replace(
            measure(question, expanded, hits, sentences, shape, lexicon, off_topic),
            **found.flags(),
        )
        if self.model is None:
            return refusal_for(found, features) or Verdict(False, features=features)
        if not self.model.refuses(features):
            return Verdict(False, features=features)
        said = refusal_for(found, features)
        if said is not None:
            return said
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
