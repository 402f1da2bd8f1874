"""The answerability model: the probability that the evidence does not answer a question,
from its signals (``Features``): the checks' findings, how close the question is in meaning
to the passages and to the drafted sentence, how much of it they cover, how close it is to
subjects the sources do not cover. Each signal misleads alone (a colloquial question has
unknown words but is in scope; a question about a fact the sources lack still finds close
passages; a check misfires on a phrasing it was not written for), so one logistic model
weighs them all, trained on labelled questions by ``python -m evals.train_answerability``
(figures in the README of evals/datasets and in model.json).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import astuple, dataclass, fields
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from assistant.answer.answerability.premise import CLAUSE_SPLIT_RE, asked_about, premise_clauses
from assistant.logistic import fit_logistic
from assistant.retrieval.lexical import tokenize
from assistant.schema import Hit
from assistant.text.analysis import (
    Shape,
    answers_shape,
    content_terms,
    coverage,
)
from assistant.text.lexicon import alternation

MODEL_FILE = Path(__file__).with_name("model.json")
EVIDENCE_HITS = 5
FOCUSED_SHAPES = (Shape.duration, Shape.frequency, Shape.quantity, Shape.money)
UNKNOWN_WORDS_KNOT = 0.5  # 0.4 did a little worse in dev cross-validation
_PREMISE_MARKER_RE = re.compile(alternation("premise_markers") + r"|不是.{0,12}嘛")
_ASKS_VALUE_RE = re.compile(alternation("value_questions"))


class Lexicon(Protocol):
    """What the features need from the lexical index."""

    vocabulary: dict[str, int]
    idf: np.ndarray

    def misspelt_terms(self, text: str) -> set[str]: ...


@dataclass(frozen=True)
class Features:
    """Each in [0, 1] or a small count; names are the keys in model.json."""

    similarity: float = 0.0  # best cosine among the evidence
    coverage: float = 0.0  # best share of the question's terms in one passage
    vocabulary: float = 0.0  # share of its terms anywhere in the index (typos forgiven)
    off_topic_margin: float = 0.0  # cosine to the closest uncovered subject minus similarity
    answer_overlap: float = 0.0  # IDF-weighted share of its terms in the best fitting sentence
    focus: float = 1.0  # share of what it asks about (after 多久 …) in that sentence
    spread: float = 0.0  # top-1 minus top-5 cosine: one clear match or many vague ones
    yes_no: float = 0.0
    focused_shape: float = 0.0  # asks for a duration, frequency, quantity or amount
    premises: float = 0.0  # stated clauses before the question
    length: float = 0.0  # characters / 50
    premise_marker: float = 0.0  # 吧, 听说, 既然 …
    asks_value: float = 0.0  # 多少, 几, 谁, 哪家 …
    premise_overlap: float = 1.0  # best share of a stated premise's terms in one sentence
    top_coverage: float = 0.0  # share of its terms in the top passage
    off_topic: float = 0.0  # cosine to the closest uncovered subject
    # how far ``vocabulary`` falls below half: a question mostly in words the sources never
    # use is off topic however close its embedding lands, a drop a linear model sees only
    # through a feature of its own
    unknown_words: float = 0.0
    # the checks' findings (``refusal.Findings.flags``): each a 0/1 the model weighs, so a
    # check that misfires on questions like one it was written for cannot refuse alone
    unknown_document: float = 0.0
    unknown_scheme: float = 0.0
    contradicted_figure: float = 0.0
    unanswered_unit: float = 0.0
    no_amount: float = 0.0
    unfocused: float = 0.0
    ref_named: float = 0.0
    unknown_company: float = 0.0

    def vector(self) -> np.ndarray:
        return np.asarray(astuple(self), dtype=np.float64)


FEATURE_NAMES = tuple(f.name for f in fields(Features))


def _idf_weights(terms: set[str], lexicon: Lexicon) -> dict[str, float]:
    return {
        t: float(lexicon.idf[lexicon.vocabulary[t]]) if t in lexicon.vocabulary else 0.0
        for t in terms
    }


def measure(
    question: str,
    expanded: str,
    hits: list[Hit],
    sentences: Sequence[str],
    shape: Shape,
    lexicon: Lexicon,
    off_topic: float = 0.0,
) -> Features:
    """``expanded``: the question with glossary terms; ``sentences``: the evidence's
    sentences (``refusal.evidence_sentences``, already split for the hard checks);
    ``off_topic``: its cosine to the closest subject the sources do not cover."""
    evidence = hits[:EVIDENCE_HITS]
    if not evidence:
        return Features()
    terms = content_terms(expanded)
    focused = shape in FOCUSED_SHAPES
    fitting = [s for s in sentences if answers_shape(s, shape)] if focused else sentences
    weights = _idf_weights(terms, lexicon)
    total = sum(weights.values()) or 1.0
    answer_overlap = max(
        (sum(w for t, w in weights.items() if t in set(tokenize(s))) / total for s in fitting),
        default=0.0,
    )
    focus = 1.0
    for clause in CLAUSE_SPLIT_RE.split(question):
        about = asked_about(clause)
        if about:
            focus = max((len(about & set(s)) / len(about) for s in fitting), default=0.0)
            break
    similarities = sorted(((h.similarity or 0.0) for h in evidence), reverse=True)
    similarity = similarities[0]
    misspelt = lexicon.misspelt_terms(expanded)
    known = sum(1 for t in terms if t in lexicon.vocabulary or t in misspelt)
    vocabulary = known / len(terms) if terms else 1.0
    premises = premise_clauses(question)
    return Features(
        similarity=similarity,
        coverage=max(coverage(terms, f"{h.title} {h.text}") for h in evidence),
        vocabulary=vocabulary,
        off_topic_margin=off_topic - similarity,
        answer_overlap=answer_overlap,
        focus=focus,
        spread=similarity - similarities[-1],
        yes_no=float(shape is Shape.yes_no),
        focused_shape=float(focused),
        premises=float(len(premises)),
        length=len(question) / 50,
        premise_marker=float(bool(_PREMISE_MARKER_RE.search(question))),
        asks_value=float(bool(_ASKS_VALUE_RE.search(question))),
        premise_overlap=max(
            (coverage(content_terms(p), s) for p in premises for s in sentences), default=1.0
        ),
        top_coverage=coverage(terms, evidence[0].text),
        off_topic=off_topic,
        unknown_words=max(0.0, UNKNOWN_WORDS_KNOT - vocabulary),
    )


@dataclass(frozen=True)
class AnswerabilityModel:
    """Standardised logistic regression: P(the question must be refused | features), after
    one plain rule: a question clearly closer to an uncovered subject than to any passage
    (``off_topic_margin`` above ``max_off_topic_margin``) is refused outright."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float
    max_off_topic_margin: float = 1.0

    def probability(self, vector: np.ndarray) -> float:
        z = (vector - np.asarray(self.mean)) / np.asarray(self.scale)
        return float(1 / (1 + np.exp(-(z @ np.asarray(self.weights) + self.bias))))

    def refuses(self, features: Features) -> bool:
        if features.off_topic_margin > self.max_off_topic_margin:
            return True
        return self.probability(features.vector()) > self.threshold

    def to_json(self) -> dict[str, Any]:
        return {
            "features": list(FEATURE_NAMES),
            "mean": list(self.mean),
            "scale": list(self.scale),
            "weights": list(self.weights),
            "bias": self.bias,
            "threshold": self.threshold,
            "max_off_topic_margin": self.max_off_topic_margin,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AnswerabilityModel:
        if tuple(data["features"]) != FEATURE_NAMES:
            raise ValueError("model.json was fitted on other features: recalibrate")
        return cls(
            tuple(data["mean"]),
            tuple(data["scale"]),
            tuple(data["weights"]),
            float(data["bias"]),
            float(data["threshold"]),
            float(data.get("max_off_topic_margin", 1.0)),
        )

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> AnswerabilityModel | None:
        """None when there is no calibration: then only the hard checks refuse."""
        if not path.is_file():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        if "model" not in data:
            raise ValueError(
                f"{path} holds no model: run python -m evals.train_answerability --write"
            )
        return cls.from_json(data["model"])


def balanced_weights(must_refuse: np.ndarray, categories: np.ndarray) -> np.ndarray:
    """Half the weight to answerable questions, half to must-refuse ones, shared equally by
    the must-refuse categories (out of scope, false premise …) however many each has."""
    weights = np.zeros(len(must_refuse))
    answerable = ~must_refuse
    weights[answerable] = 0.5 / max(int(answerable.sum()), 1)
    names = np.unique(categories[must_refuse])
    for name in names:
        rows = must_refuse & (categories == name)
        weights[rows] = 0.5 / len(names) / int(rows.sum())
    return weights * len(must_refuse)


def fit(
    vectors: np.ndarray,
    must_refuse: np.ndarray,
    categories: np.ndarray,
    l2: float,
    threshold: float = 0.5,
    row_weights: np.ndarray | None = None,
) -> AnswerabilityModel:
    """Logistic regression weighted by ``balanced_weights`` times ``row_weights`` (what a
    question counts for, by who wrote it)."""
    sample_weight = balanced_weights(must_refuse, categories)
    if row_weights is not None:
        sample_weight = sample_weight * row_weights
    fitted = fit_logistic(vectors, must_refuse, FEATURE_NAMES, l2, sample_weight)
    return AnswerabilityModel(fitted.mean, fitted.scale, fitted.weights, fitted.bias, threshold)


def vectors_of(features: Sequence[Features]) -> np.ndarray:
    return np.asarray([f.vector() for f in features]) if features else np.zeros((0, 0))
