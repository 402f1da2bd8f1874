"""The second stage: the hybrid's candidates re-ordered by a learned score of what makes a
passage the answer, then restatements held out of the top.

Fusion knows how close a passage is as a whole; the reranker also reads its sentences: does
one of them hold the question's rare terms (「施行」 over 「条例」, which every article has) and
the kind of fact asked (a duration for 多久, a role for 谁), is it a document's preface (「本指南
写给…」), does the question name its document. The weights are fitted on the dev questions
(``python -m evals.train_rerank``); each signal stays only if leaving it out costs ranking
quality there (sentence-level e5 and the source's kind were measured and did not help).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from assistant.logistic import Logistic
from assistant.retrieval.lexical import tokenize
from assistant.schema import Chunk
from assistant.text.analysis import (
    Shape,
    answers_shape,
    asked_units,
    content_terms,
    is_preface,
    needs_specific_evidence,
    question_shape,
    split_sentences,
    states_in,
    weighted_coverage,
)

MODEL_FILE = Path(__file__).with_name("rerank_model.json")
FEATURE_NAMES = (
    "fused",  # the hybrid score, over the best candidate's
    "similarity_gap",  # e5 cosine below the closest candidate's
    "best_sentence",  # IDF-weighted share of the question's terms in its best sentence
    "asked_kind",  # a sentence holds the kind of fact asked (duration, role, amount …)
    "asked_unit",  # a sentence states a duration in the unit asked (几年 -> 年)
    "preface",  # the document's opening, or an overview / purpose / scope section
    "title_named",  # share of the document title's terms in the question
)


@dataclass
class Candidate:
    """One passage of the hybrid's pool, with what fusion knew of it."""

    chunk: Chunk
    fused: float
    similarity: float
    ref_named: bool = False
    probability: float = 0.0  # set by ``Reranker.rerank``


@lru_cache(maxsize=8192)
def _sentences(text: str) -> tuple[tuple[str, frozenset[str]], ...]:
    """A passage's sentences with their terms: the same passages come back question after
    question, and tokenising them was most of the second stage's time."""
    return tuple((s, frozenset(tokenize(s))) for s in split_sentences(text) or [text])


@lru_cache(maxsize=8192)
def _holds_kind(text: str, shape: Shape) -> bool:
    return any(answers_shape(s, shape) for s, _ in _sentences(text))


def features(
    question: str, candidates: Sequence[Candidate], term_weights: Mapping[str, float]
) -> np.ndarray:
    """One row of ``FEATURE_NAMES`` per candidate; ``term_weights``: IDF of the question's
    terms in the index (the expanded question's, as the lexical retriever reads it)."""
    weights = {t: term_weights.get(t, 0.0) for t in content_terms(question)}
    shape = question_shape(question)
    specific = needs_specific_evidence(shape)
    units = asked_units(question)
    question_tokens = set(tokenize(question))
    top_fused = max((c.fused for c in candidates), default=0.0) or 1.0
    top_similarity = max((c.similarity for c in candidates), default=0.0)
    rows = []
    for cand in candidates:
        chunk = cand.chunk
        title_tokens = _terms(chunk.title.removeprefix("中华人民共和国"))
        rows.append(
            (
                cand.fused / top_fused,
                cand.similarity - top_similarity,
                max(weighted_coverage(weights, terms) for _, terms in _sentences(chunk.text)),
                float(specific and _holds_kind(chunk.text, shape)),
                float(states_in(chunk.text, units)),
                float(is_preface(chunk.title, chunk.ref, chunk.section)),
                len(title_tokens & question_tokens) / max(len(title_tokens), 1),
            )
        )
    return np.asarray(rows, dtype=np.float64).reshape(len(rows), len(FEATURE_NAMES))


def restates(text: str, earlier: str, overlap: float) -> bool:
    """A summary of an article, or a guide quoting it, says what a passage already shown says:
    ``overlap`` of the shorter one's terms are the other's."""
    a, b = _terms(text), _terms(earlier)
    return bool(a and b) and len(a & b) / min(len(a), len(b)) >= overlap


@lru_cache(maxsize=8192)
def _terms(text: str) -> frozenset[str]:
    return frozenset(tokenize(text))


def spread(ordered: Sequence[Candidate], top: int, overlap: float) -> list[Candidate]:
    """The first ``top`` places go to passages that say something new; a restatement of one
    already there keeps its order after them."""
    first: list[Candidate] = []
    later: list[Candidate] = []
    for cand in ordered:
        if len(first) < top and not any(
            restates(cand.chunk.text, f.chunk.text, overlap) for f in first
        ):
            first.append(cand)
        else:
            later.append(cand)
    return first + later


def order(
    candidates: Sequence[Candidate], probabilities: np.ndarray, top: int, overlap: float
) -> list[Candidate]:
    """Named refs first (as the hybrid puts them), then by probability, restatements after
    the first ``top``: the order the product shows and the trainer scores."""
    for cand, probability in zip(candidates, probabilities, strict=True):
        cand.probability = float(probability)
    ranked = sorted(candidates, key=lambda c: (c.ref_named, c.probability), reverse=True)
    return spread(ranked, top, overlap)


class Reranker:
    def __init__(self, model: Logistic, distinct_top: int, overlap: float) -> None:
        self.model = model
        self.distinct_top = distinct_top
        self.overlap = overlap

    @classmethod
    def load(cls, distinct_top: int, overlap: float, path: Path = MODEL_FILE) -> Reranker | None:
        """None without a fitted model: then the hybrid order stands."""
        if not path.is_file():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(Logistic.from_json(data["model"], FEATURE_NAMES), distinct_top, overlap)

    def rerank(
        self,
        question: str,
        candidates: Sequence[Candidate],
        term_weights: Mapping[str, float],
    ) -> list[Candidate]:
        if not candidates:
            return []
        probabilities = self.model.probabilities(features(question, candidates, term_weights))
        return order(candidates, probabilities, self.distinct_top, self.overlap)
