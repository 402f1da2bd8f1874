"""The retrieval eval runs, and hybrid beats each retriever alone."""

from __future__ import annotations

import json
import math

from assistant.knowledge import KnowledgeBase
from evals.retrieval import (
    DATASET,
    first_relevant_rank,
    load_questions,
    ndcg_at,
    run,
    summarise,
    to_markdown,
)


def test_golden_set_is_well_formed() -> None:
    lines = [json.loads(line) for line in DATASET.read_text(encoding="utf-8").splitlines() if line]
    assert len(lines) >= 80
    assert len({item["id"] for item in lines}) == len(lines)
    assert {item["split"] for item in lines} == {"dev"}  # the blind held-out split tests
    assert {item["kind"] for item in lines} == {"regulation", "standard", "guide", "procedure"}
    assert all(item["expected"] for item in lines)


def test_metrics() -> None:
    expected = frozenset({("d", "1")})
    assert first_relevant_rank([("x", "1"), ("d", "1")], expected) == 2
    assert first_relevant_rank([("x", "1")], expected) == 0
    stats = summarise([1, 2, 0, 6])
    assert stats["recall@1"] == 0.25 and stats["recall@5"] == 0.5
    assert abs(stats["mrr"] - (1 + 0.5 + 1 / 6) / 4) < 1e-9


def test_ndcg() -> None:
    two = frozenset({("d", "1"), ("d", "2")})
    assert ndcg_at([("d", "1"), ("d", "2"), ("x", "1")], two) == 1.0
    assert ndcg_at([("x", "1")] * 5 + [("d", "1")], two) == 0.0  # beyond the top 5
    one_on_top = ndcg_at([("d", "1"), ("x", "1")], two)
    one_second = ndcg_at([("x", "1"), ("d", "1")], two)
    assert abs(one_on_top - 1 / (1 + 1 / math.log2(3))) < 1e-9
    assert 0 < one_second < one_on_top < 1
    assert summarise([1, 0], [1.0, 0.5])["ndcg@5"] == 0.75


def test_hybrid_on_dev(corpus_kb: KnowledgeBase) -> None:
    questions = load_questions(split="dev")
    results = run(corpus_kb, questions)
    hybrid = results["modes"]["hybrid"]["all"]
    dense = results["modes"]["dense"]["all"]
    lexical = results["modes"]["lexical"]["all"]
    assert hybrid["recall@5"] >= 0.90, to_markdown(results)
    assert 0 < hybrid["ndcg@5"] <= 1 and "nDCG@5" in to_markdown(results)
    assert hybrid["mrr"] > dense["mrr"] and hybrid["mrr"] > lexical["mrr"], to_markdown(results)
    assert "| split=dev |" in to_markdown(results)
