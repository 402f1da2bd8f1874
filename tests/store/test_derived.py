"""Derived files in the data dir: a new process loads the BM25 index and the fixed vectors
another one made, a write by another process makes them stale, a damaged file is rebuilt."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from assistant.embedding.encoder import Encoder
from assistant.knowledge import KnowledgeBase
from assistant.retrieval.hybrid import LexicalCache, Mode
from assistant.retrieval.lexical import BM25Index
from assistant.store.derived import DerivedFiles
from tests.conftest import CORPUS_DIR, make_settings
from tests.server import certguide_command, checkout_env

PROCEDURES = CORPUS_DIR / "procedures" / "huarui"
QUESTION = "不合格品由谁评审？"


def _kb(data_dir: Path, encoder: Encoder) -> KnowledgeBase:
    return KnowledgeBase(make_settings(data_dir), encoder)


def _never(*_: object) -> BM25Index:
    raise AssertionError("rebuilt although a current file was there")


@pytest.fixture()
def indexed(tmp_path: Path, encoder: Encoder) -> Path:
    data_dir = tmp_path / "data"
    kb = _kb(data_dir, encoder)
    assert not kb.ingest(sorted(PROCEDURES.glob("HR-QP-0[1-4].md")), progress=False).failed
    return data_dir


def test_the_next_process_loads_the_bm25_index(
    indexed: Path, encoder: Encoder, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _kb(indexed, encoder)
    built = first.search(QUESTION, k=5)
    assert list((indexed / "derived").glob("bm25-*.npz"))
    monkeypatch.setattr(LexicalCache, "_build", _never)
    second = _kb(indexed, encoder)
    assert second.search(QUESTION, k=5) == built
    loaded, original = second.retriever.lexical.get(), first.retriever.lexical.get()
    assert loaded.ids == original.ids and loaded.vocabulary == original.vocabulary
    assert (loaded.matrix != original.matrix).nnz == 0 and loaded.gapped == original.gapped
    assert {k: list(v) for k, v in loaded.fields.items()} == {
        k: list(v) for k, v in original.fields.items()
    }


def test_a_write_by_another_process_rebuilds_it(indexed: Path, encoder: Encoder) -> None:
    kb = _kb(indexed, encoder)
    before = kb.retriever.lexical.get()
    assert not any(doc_id == "HR-QP-10" for doc_id in before.fields["doc_id"])
    another = [*certguide_command(), "--data-dir", str(indexed), "ingest"]
    subprocess.run(
        [*another, str(PROCEDURES / "HR-QP-10.md")], check=True, capture_output=True,
        env=checkout_env(),
    )  # fmt: skip
    kb.retriever.lexical.refresh_seconds = 0.0  # the API checks the generation every few s
    after = kb.retriever.lexical.get()
    assert len(after) > len(before) and "HR-QP-10" in set(after.fields["doc_id"])
    assert len(list((indexed / "derived").glob("bm25-*.npz"))) == 2  # one per generation


def test_a_damaged_file_is_rebuilt(indexed: Path, encoder: Encoder) -> None:
    expected = _kb(indexed, encoder).search(QUESTION, k=5)
    for path in (indexed / "derived").glob("bm25-*.npz"):
        path.write_bytes(path.read_bytes()[:1000])  # a crash mid-write of an older version
    assert _kb(indexed, encoder).search(QUESTION, k=5) == expected


def test_fixed_vectors_are_made_once_per_engine(
    tmp_path: Path, encoder: Encoder, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = ["火锅底料配方", "驾驶证扣分"]
    made = _kb(tmp_path / "data", encoder).fixed_vectors("subjects", texts, is_query=False)
    assert np.allclose(made, encoder.embed_references(texts))

    def no_model(*_: object) -> np.ndarray:
        raise AssertionError("embedded again")

    monkeypatch.setattr(Encoder, "embed_references", no_model)
    again = _kb(tmp_path / "data", encoder).fixed_vectors("subjects", texts, is_query=False)
    assert np.array_equal(again, made)
    with pytest.raises(AssertionError, match="embedded again"):  # other texts: other file
        _kb(tmp_path / "data", encoder).fixed_vectors("subjects", texts[:1], is_query=False)


def test_an_unwritable_directory_only_costs_the_cache(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory", encoding="utf-8")
    files = DerivedFiles(blocker / "derived")
    vectors = files.vectors("subjects", "key", lambda: np.ones((2, 3)))
    assert vectors.shape == (2, 3) and files.load("subjects", "key") is None


@pytest.mark.parametrize("mode", [Mode.hybrid, Mode.lexical])
def test_a_stale_index_never_shows_a_deleted_chunk(
    indexed: Path, encoder: Encoder, mode: Mode
) -> None:
    """Another writer deleted a document after this process's BM25 was built (and before it
    looked again): its chunks are skipped, and the next ones take their places."""
    kb = _kb(indexed, encoder)
    kb.retriever.lexical.refresh_seconds = 3600.0
    question = "文件控制 文件的编号 发放 回收"
    before = kb.search(question, k=5, mode=mode)
    gone = before[0].doc_id
    assert _kb(indexed, encoder).delete(gone)
    after = kb.search(question, k=5, mode=mode)
    assert len(after) == 5 and gone not in {h.doc_id for h in after}
