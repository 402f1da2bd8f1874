"""The second stage: its signals as tables of made-up passages, the shipped model, and the
re-ordered search on the real model and store."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.knowledge import KnowledgeBase
from assistant.logistic import Logistic
from assistant.retrieval.rerank import (
    FEATURE_NAMES,
    MODEL_FILE,
    Candidate,
    Reranker,
    features,
    restates,
    spread,
)
from assistant.schema import Chunk, Kind
from assistant.settings import get_settings
from assistant.text.analysis import content_terms

OVERLAP = get_settings().restatement_overlap


def _candidate(text: str, ref: str = "§4", section: str = "4 要求", fused: float = 0.5,
               similarity: float = 0.8, title: str = "某程序") -> Candidate:  # fmt: skip
    chunk = Chunk(chunk_id=f"c{abs(hash((text, ref)))}", doc_id="d", title=title,
                  kind=Kind.procedure, org="public", ref=ref, text=text, section=section,
                  content_hash="h", position=0)  # fmt: skip
    return Candidate(chunk, fused, similarity)


def _column(name: str, question: str, *candidates: Candidate) -> list[float]:
    rows = features(question, candidates, dict.fromkeys(content_terms(question), 1.0))
    return [float(v) for v in rows[:, FEATURE_NAMES.index(name)]]


@pytest.mark.parametrize(
    ("feature", "question", "texts", "expected"),
    [
        # the kind of fact asked: a duration for 多久, a role for 谁
        ("asked_kind", "样品要留多久", ["留样期限为两年。", "留样由仓库保管。"], [1.0, 0.0]),
        ("asked_kind", "留样由谁保管", ["留样期限为两年。", "留样由质量部保管。"], [0.0, 1.0]),
        # a duration asked in a unit wants a sentence stating that unit
        ("asked_unit", "样品要留几年", ["留样期限为24个月。", "留样期限为2年。"], [0.0, 1.0]),
        # the question's terms in one sentence, not scattered over the passage
        ("best_sentence", "留样期限", ["留样期限为两年。", "期限另议。留样另存。"], [1.0, 0.0]),
    ],
)
def test_sentence_signals(feature: str, question: str, texts: list[str],
                          expected: list[float]) -> None:  # fmt: skip
    values = _column(feature, question, *(_candidate(t) for t in texts))
    if feature == "best_sentence":
        assert values[0] > values[1]
    else:
        assert values == expected


def test_preface_and_relative_scores() -> None:
    opening = _candidate("本程序写给质量部。", ref="某程序", section="某程序", fused=0.9)
    body = _candidate("留样期限为两年。", fused=0.45, similarity=0.7)
    rows = features("留样期限", [opening, body], {})
    column = {name: rows[:, i] for i, name in enumerate(FEATURE_NAMES)}
    assert list(column["preface"]) == [1.0, 0.0]
    assert list(column["fused"]) == [1.0, 0.5]  # over the best candidate's
    assert column["similarity_gap"][1] == pytest.approx(-0.1)


@pytest.mark.parametrize(
    ("text", "earlier", "same"),
    [
        ("企业应当在有效期届满前提出换证申请。", "有效期届满前，企业应当提出换证申请。", True),
        ("企业应当在有效期届满前提出换证申请。", "企业变更名称的，应当在变更后办理手续。", False),
    ],
)
def test_restatement(text: str, earlier: str, same: bool) -> None:
    assert restates(text, earlier, OVERLAP) is same


def test_restatements_leave_the_top_to_new_passages() -> None:
    first = _candidate("企业应当在有效期届满前提出换证申请。")
    again = _candidate("有效期届满前，企业应当提出换证申请。", ref="§5")
    other = _candidate("企业变更名称的，应当办理变更手续。", ref="§6")
    ordered = spread([first, again, other], top=2, overlap=OVERLAP)
    assert ordered == [first, other, again]
    assert spread([first, again, other], top=5, overlap=OVERLAP) == [first, other, again]


def test_the_shipped_model_fits_the_code() -> None:
    reranker = Reranker.load(5, OVERLAP)
    assert reranker is not None, f"{MODEL_FILE} missing: python -m evals.train_rerank --write"
    weights = dict(zip(reranker.model.names, reranker.model.weights, strict=True))
    # what the fit learned, as a trainer would check it: a passage ranks higher the better
    # the first stage scored it and the more of the question one sentence holds; a preface less
    assert weights["fused"] > 0 and weights["best_sentence"] > 0 and weights["preface"] < 0
    stale = {**reranker.model.to_json(), "features": ["fused"]}
    with pytest.raises(ValueError, match="other features"):
        Logistic.from_json(stale, FEATURE_NAMES)


def test_probabilities_order_the_pool() -> None:
    model = Logistic(FEATURE_NAMES, (0.0,) * 7, (1.0,) * 7, (1.0, 0, 0, 0, 0, -2.0, 0), 0.0)
    opening = _candidate("本程序写给质量部。", ref="某程序", section="某程序", fused=0.9)
    body = _candidate("留样期限为两年。", fused=0.8)
    ordered = Reranker(model, 5, OVERLAP).rerank("留样期限", [opening, body], {})
    assert ordered == [body, opening]
    assert 0 < ordered[1].probability < ordered[0].probability < 1


QUESTIONS = [
    "生产许可证到期以后还能继续生产吗",
    "企业名称变了许可证怎么处理",
    "内审员能不能审自己的工作",
    "管理评审多久开一次",
    "计量器具超过检定周期还能用吗",
    "不合格品谁来决定怎么处置",
]


@pytest.mark.parametrize("question", QUESTIONS)
def test_search_top_five_says_new_things(corpus_kb: KnowledgeBase, question: str) -> None:
    hits = corpus_kb.search(question, k=8)
    top = hits[:5]
    for i, hit in enumerate(top):
        overlap = corpus_kb.settings.restatement_overlap
        assert not any(restates(hit.text, e.text, overlap) for e in top[:i]), hit.ref
    # the second stage ran: its scores are probabilities (a named ref would add 1)
    assert all(0 < h.score < 1 for h in hits)
    pool = corpus_kb.retriever.candidates(question, 30)
    assert {h.chunk_id for h in hits} <= {c.chunk.chunk_id for c in pool}


def test_without_the_second_stage_the_fused_order_stands(corpus_kb: KnowledgeBase) -> None:
    reranker, corpus_kb.retriever.reranker = corpus_kb.retriever.reranker, None
    try:
        hits = corpus_kb.search(QUESTIONS[0], k=5)
    finally:
        corpus_kb.retriever.reranker = reranker
    pool = corpus_kb.retriever.candidates(QUESTIONS[0], 5)
    assert [h.chunk_id for h in hits] == [c.chunk.chunk_id for c in pool]
    assert np.all(np.diff([h.score for h in hits]) <= 0)
