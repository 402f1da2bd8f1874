"""Retrieval on the real model and store over the built-in corpus and official texts."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.knowledge import KnowledgeBase
from assistant.retrieval.hybrid import Mode
from assistant.store.chroma_store import SearchFilter
from tests.conftest import requires_regulations


def _top(kb: KnowledgeBase, question: str, **kwargs: object) -> tuple[str, str]:
    hit = kb.search(question, k=5, **kwargs)[0]  # type: ignore[arg-type]
    return hit.doc_id, hit.ref


@pytest.mark.parametrize(
    ("question", "doc_id", "ref"),
    [
        ("7.1.5条款规定了啥", "iso9001-2015-clauses", "7.1.5"),
        ("ISO 9001 9.3.2 管理评审要输入哪些东西", "iso9001-2015-clauses", "9.3.2"),
        ("HR-QP-05 §4.1 讲了什么", "HR-QP-05", "HR-QP-05 §4.1"),
    ],
)
def test_named_reference_ranks_first(
    corpus_kb: KnowledgeBase, question: str, doc_id: str, ref: str
) -> None:
    assert _top(corpus_kb, question) == (doc_id, ref)


@requires_regulations
def test_article_of_the_named_regulation_first(corpus_kb: KnowledgeBase) -> None:
    assert _top(corpus_kb, "工业产品生产许可证管理条例第十九条") == (
        "xk-licence-regulation-2023", "第十九条",
    )  # fmt: skip
    assert _top(corpus_kb, "计量法第九条规定了什么") == ("metrology-law-2018", "第九条")
    hits = corpus_kb.search("第二十五条", k=10)
    assert {h.ref for h in hits[:3]} == {"第二十五条"}


def test_plain_questions_find_the_fact(corpus_kb: KnowledgeBase) -> None:
    hits = corpus_kb.search("C级供应商多长时间内要整改", k=5, filters=SearchFilter(orgs=["huarui"]))
    assert hits[0].doc_id == "HR-QP-07" and "3个月" in hits[0].text
    hits = corpus_kb.search("出厂检验记录要保存几年", k=5)
    assert any(h.doc_id == "HR-QP-02" and "5年" in h.text for h in hits[:3])


@pytest.mark.parametrize(
    "scope",
    [
        SearchFilter(orgs=["huarui", "public"]),  # a staff user's
        SearchFilter(kinds=["regulation"]),
        SearchFilter(doc_ids=["HR-QP-05"]),  # too small to over-fetch: the store filters
        SearchFilter(orgs=["nobody"]),
    ],
    ids=["staff", "regulations", "one-document", "empty"],
)
def test_scoped_dense_query_finds_the_nearest_in_scope(
    corpus_kb: KnowledgeBase,
    scope: SearchFilter,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    """The scope is applied to an over-fetched unfiltered query (Chroma's own filter is slow
    at scale). Against an exact search over the scope's vectors: only chunks in scope, the
    nearest five always, and most of the twenty (both paths are approximate)."""
    name = request.node.callspec.id
    retriever = corpus_kb.retriever
    lexical = retriever.lexical.get()
    mask = lexical.mask(scope.conditions())
    assert mask is not None
    in_scope = [lexical.ids[row] for row in np.flatnonzero(mask)]
    stored = retriever.store.vectors_by_id(in_scope)
    asked: list[object] = []
    query = retriever.store.dense_query
    monkeypatch.setattr(retriever.store, "dense_query", lambda *a: asked.append(a[2:]) or query(*a))
    for question in ("记录保存期限", "不合格品怎么处置", "许可证有效期", "管理评审多久一次"):
        vector = retriever.embed(question)[0]
        exact = sorted(stored, key=lambda cid: -float(stored[cid] @ vector))[:20]
        asked.clear()
        found = [cid for cid, _ in retriever._dense(vector, 20, scope, lexical)]
        assert set(found) <= set(in_scope) and len(found) == len(exact), question
        assert set(exact[:5]) <= set(found), question
        assert len(set(found) & set(exact)) >= 0.85 * len(exact), question
        # the store is asked unfiltered, or (a scope too small) filtered, or (none) not at all
        expected = {"staff": [()], "regulations": [()], "one-document": [(scope.where(),)]}
        assert asked == expected.get(name, [])


def test_filters_restrict_every_hit(corpus_kb: KnowledgeBase) -> None:
    for mode in Mode:
        hits = corpus_kb.search("记录保存期限", k=8, filters=SearchFilter(kinds=["standard"]),
                                mode=mode)  # fmt: skip
        assert hits and all(h.kind.value == "standard" for h in hits)
    hits = corpus_kb.search("不合格品", k=5, filters=SearchFilter(doc_ids=["HR-QP-05"]))
    assert hits and {h.doc_id for h in hits} == {"HR-QP-05"}
    assert corpus_kb.search("不合格品", k=5, filters=SearchFilter(orgs=["nobody"])) == []
    # a named ref outside the filter must not leak in
    hits = corpus_kb.search("HR-QP-05 §4.1", k=5, filters=SearchFilter(kinds=["guide"]))
    assert all(h.kind.value == "guide" for h in hits)


def test_hit_fields(corpus_kb: KnowledgeBase) -> None:
    hit = corpus_kb.search("生产许可证有效期几年", k=1)[0]
    data = hit.model_dump()
    for field in ("doc_id", "title", "kind", "org", "ref", "text", "score", "source"):
        assert data[field] not in (None, "")
    assert hit.similarity is not None and 0.5 < hit.similarity <= 1.0


def test_bad_questions(corpus_kb: KnowledgeBase) -> None:
    with pytest.raises(ValueError, match="empty"):
        corpus_kb.search("   ")
    with pytest.raises(ValueError, match="too long"):
        corpus_kb.search("问" * 5000)
    with pytest.raises(ValueError, match="k must be"):
        corpus_kb.search("内审", k=0)
