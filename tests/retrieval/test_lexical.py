from __future__ import annotations

from assistant.retrieval.lexical import BM25Index, tokenize


def test_tokenize_bigrams_and_codes() -> None:
    tokens = tokenize("按HR-QP-05处理，见7.1.5条款")
    assert {"按", "hr-qp-05", "qp", "处理", "7.1.5", "条款"} <= set(tokens)


def test_bm25_ranks_and_filters() -> None:
    index = BM25Index.build(
        ["a", "b", "c"],
        ["供应商年度评价分为三级", "内部审核每年一次", "供应商评价结果存档"],
        [{"org": "x", "kind": "procedure", "doc_id": "1"},
         {"org": "x", "kind": "procedure", "doc_id": "2"},
         {"org": "y", "kind": "guide", "doc_id": "3"}],
    )  # fmt: skip
    hits = index.search("供应商评价", 5)
    assert [h.chunk_id for h in hits][:2] in (["a", "c"], ["c", "a"])
    assert "b" not in [h.chunk_id for h in hits]
    assert [h.chunk_id for h in index.search("供应商评价", 5, {"org": ["y"]})] == ["c"]
    assert index.search("天气预报", 5) == []
