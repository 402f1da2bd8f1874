"""Ingestion into a real Chroma store: idempotent, replacing, failure-safe."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.knowledge import KnowledgeBase

PROC = """---
id: ACME-QP-03
title: 内部审核程序
kind: procedure
org: acme
---
# ACME-QP-03 内部审核程序
## 1 目的
规定内部审核的安排。
## 4 工作程序
### 4.1 审核频次
内部审核每{months}个月至少覆盖全部过程一次。
### 4.2 审核员
审核员不得审核自己的工作。
"""


def _write(path: Path, months: int = 12) -> Path:
    path.write_text(PROC.format(months=months), encoding="utf-8")
    return path


def test_reingest_unchanged_is_skipped_and_changed_replaces(
    empty_kb: KnowledgeBase, tmp_path: Path
) -> None:
    path = _write(tmp_path / "a.md")
    first = empty_kb.ingest([path])
    assert [r.status for r in first.results] == ["added"]
    chunk_count = empty_kb.store.count()
    assert chunk_count == first.results[0].chunks == 3

    again = empty_kb.ingest([path])
    assert [r.status for r in again.results] == ["unchanged"]
    assert empty_kb.store.count() == chunk_count

    _write(path, months=6)
    changed = empty_kb.ingest([path])
    assert [r.status for r in changed.results] == ["updated"]
    assert empty_kb.store.count() == chunk_count  # replaced, not duplicated
    record, chunks = empty_kb.document("ACME-QP-03") or (None, [])
    assert record is not None and record.org == "acme"
    texts = " ".join(c.text for c in chunks)
    assert "每6个月" in texts and "每12个月" not in texts
    hits = empty_kb.search("内部审核多久做一次", k=1)
    assert hits[0].ref == "ACME-QP-03 §4.1" and "6个月" in hits[0].text


def test_bad_files_fail_alone_and_index_is_untouched(
    empty_kb: KnowledgeBase, tmp_path: Path
) -> None:
    good = _write(tmp_path / "good.md")
    empty_kb.ingest([good])
    before = sorted(empty_kb.store.chunk_ids("ACME-QP-03"))

    (tmp_path / "batch").mkdir()
    (tmp_path / "batch" / "empty.txt").write_bytes(b"")
    (tmp_path / "batch" / "binary.txt").write_bytes(b"\x00" * 100)
    (tmp_path / "batch" / "ok.txt").write_text(
        "第一条 计量器具每年检定。\n第二条 超差时追溯。\n第三条 施行。", encoding="utf-8"
    )
    report = empty_kb.ingest([tmp_path / "batch", tmp_path / "missing.md"])
    failed = {Path(r.path).name: r.error for r in report.failed}
    assert set(failed) == {"empty.txt", "binary.txt", "missing.md"}
    assert "empty" in failed["empty.txt"] and "no such file" in failed["missing.md"]
    assert report.count("added") == 1
    assert sorted(empty_kb.store.chunk_ids("ACME-QP-03")) == before


def test_failed_write_rolls_back_to_the_old_version(
    empty_kb: KnowledgeBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path / "a.md")
    empty_kb.ingest([path])
    before = sorted(empty_kb.store.chunk_ids("ACME-QP-03"))
    _write(path, months=3)

    def broken_upsert(**kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(empty_kb.store.documents, "upsert", broken_upsert)
    with pytest.raises(RuntimeError, match="disk full"):
        empty_kb.ingest([path])
    monkeypatch.undo()
    assert sorted(empty_kb.store.chunk_ids("ACME-QP-03")) == before
    record = empty_kb.store.get_document("ACME-QP-03")
    assert record is not None and record.chunk_count == len(before)


def test_delete_removes_chunks_and_record(empty_kb: KnowledgeBase, tmp_path: Path) -> None:
    empty_kb.ingest([_write(tmp_path / "a.md")])
    assert empty_kb.delete("ACME-QP-03")
    assert empty_kb.store.count() == 0
    assert empty_kb.document("ACME-QP-03") is None
    assert not empty_kb.delete("ACME-QP-03")
    assert empty_kb.search("内部审核", k=3) == []


def test_duplicate_ids_in_one_run_are_refused(empty_kb: KnowledgeBase, tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    _write(tmp_path / "x" / "a.md")
    _write(tmp_path / "y" / "a.md")
    report = empty_kb.ingest([tmp_path / "x", tmp_path / "y"])
    assert [r.status for r in report.results] == ["added", "failed"]
    assert "already used" in report.failed[0].error
