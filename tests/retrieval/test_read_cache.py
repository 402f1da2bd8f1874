"""The read cache: candidates' texts and vectors are read from the store once, and a chunk
deleted by this process or another is never shown from it."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

from assistant.embedding.encoder import Encoder
from assistant.knowledge import KnowledgeBase
from assistant.retrieval.hybrid import ByIdCache
from tests.conftest import CORPUS_DIR, make_settings
from tests.server import certguide_command, checkout_env

PROCEDURES = CORPUS_DIR / "procedures" / "huarui"
QUESTION = "不合格品由谁评审？"


class Source:
    """A store stand-in that records what it is asked: the cache's contract is with a
    lookup function, so a dict-backed one is the real thing here."""

    def __init__(self, values: dict[str, str]) -> None:
        self.values = values
        self.asked: list[list[str]] = []

    def read(self, ids: Sequence[str]) -> dict[str, str]:
        self.asked.append(list(ids))
        return {i: self.values[i] for i in ids if i in self.values}


def test_only_ids_not_kept_are_read_and_the_oldest_goes_first() -> None:
    source = Source({"a": "A", "b": "B", "c": "C"})
    cache: ByIdCache[str] = ByIdCache(2)
    assert cache.get_many(["a", "b", "gone"], source.read) == {"a": "A", "b": "B"}
    assert cache.get_many(["b", "a"], source.read) == {"a": "A", "b": "B"}
    assert source.asked == [["a", "b", "gone"]]  # the second call read nothing
    cache.get_many(["c"], source.read)  # evicts b, the least recently used
    cache.get_many(["a", "b"], source.read)
    assert source.asked[-1] == ["b"]
    assert cache.get_many(["gone"], source.read) == {}  # a missing id is not kept


def test_size_zero_keeps_nothing() -> None:
    source = Source({"a": "A"})
    cache: ByIdCache[str] = ByIdCache(0)
    cache.get_many(["a"], source.read)
    cache.get_many(["a"], source.read)
    assert source.asked == [["a"], ["a"]]


@pytest.fixture()
def kb(tmp_path: Path, encoder: Encoder) -> KnowledgeBase:
    kb = KnowledgeBase(make_settings(tmp_path / "data"), encoder)
    assert not kb.ingest(sorted(PROCEDURES.glob("HR-QP-0[1-6].md")), progress=False).failed
    return kb


def test_the_same_answers_with_and_without_the_cache(kb: KnowledgeBase) -> None:
    first = kb.search(QUESTION, k=8)
    assert kb.search(QUESTION, k=8) == first  # served from the cache
    kb.retriever.reads.clear()
    assert kb.search(QUESTION, k=8) == first


def test_a_document_deleted_here_is_not_shown_from_the_cache(kb: KnowledgeBase) -> None:
    top = kb.search(QUESTION, k=8)[0].doc_id
    assert kb.delete(top)
    assert top not in {hit.doc_id for hit in kb.search(QUESTION, k=8)}


def test_a_document_deleted_by_another_process_is_not_shown(kb: KnowledgeBase) -> None:
    top = kb.search(QUESTION, k=8)[0].doc_id
    data_dir = str(kb.settings.data_dir)
    subprocess.run(
        [*certguide_command(), "--data-dir", data_dir, "documents", "delete", top],
        check=True, capture_output=True, env=checkout_env(),
    )  # fmt: skip
    kb.retriever.lexical.refresh_seconds = 0.0  # the API checks the generation every few s
    assert top not in {hit.doc_id for hit in kb.search(QUESTION, k=8)}
