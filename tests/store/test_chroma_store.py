"""The store in both modes; the client-server mode uses a real `chroma run` process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.embedding.encoder import Encoder
from assistant.knowledge import KnowledgeBase
from assistant.retrieval.hybrid import Mode
from assistant.store.chroma_store import SearchFilter
from tests.conftest import CORPUS_DIR, make_settings
from tests.server import chroma_server


@pytest.fixture()
def chroma(tmp_path: Path) -> Iterator[int]:
    with chroma_server(tmp_path / "server", tmp_path / "chroma.log") as port:
        yield port


def test_filters_become_a_where_clause() -> None:
    assert SearchFilter().where() is None
    assert SearchFilter(kinds=["standard"]).where() == {"kind": "standard"}
    assert SearchFilter(orgs=["a", "b"], doc_ids=["d"]).where() == {
        "$and": [{"org": {"$in": ["a", "b"]}}, {"doc_id": "d"}]
    }


@pytest.mark.server
def test_server_mode_shared_by_two_clients(chroma: int, tmp_path: Path, encoder: Encoder) -> None:
    settings = make_settings(tmp_path / "unused", chroma_host="127.0.0.1",
                             chroma_port=chroma, lexical_refresh_seconds=0.0)  # fmt: skip
    writer = KnowledgeBase(settings, encoder)
    reader = KnowledgeBase(settings, encoder)
    assert reader.search("供应商评分", k=3) == []

    report = writer.ingest([CORPUS_DIR / "procedures" / "huarui" / "HR-QP-07.md"])
    assert report.count("added") == 1
    local = tmp_path / "unused"  # in server mode the data dir holds only a cache
    assert not local.exists() or {p.name for p in local.iterdir()} <= {"derived"}

    hits = reader.search("C级供应商多久要整改完", k=3, mode=Mode.lexical)
    assert hits and hits[0].doc_id == "HR-QP-07"  # the reader rebuilt its BM25 from the server
    assert reader.documents()[0].doc_id == "HR-QP-07"

    writer.delete("HR-QP-07")
    assert reader.search("C级供应商多久要整改完", k=3) == []
