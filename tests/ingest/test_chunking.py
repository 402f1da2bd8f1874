"""Structure-aware chunking, on our corpus and on the official regulation texts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.ingest.chunking import Chunker
from assistant.ingest.convert import load_document
from assistant.refs import article_ref, cn_to_int
from assistant.schema import Kind
from tests.conftest import CORPUS_DIR, regulation_files, requires_regulations

ARTICLE_START = re.compile(r"^第([零〇一二两三四五六七八九十百千]+)条", re.MULTILINE)


@requires_regulations
@pytest.mark.parametrize("path", regulation_files(), ids=lambda p: p.stem)
def test_every_official_article_becomes_a_chunk_with_its_ref(path: Path) -> None:
    doc = load_document(path)
    assert doc.kind is Kind.regulation
    chunks = Chunker(max_chars=700).chunk(doc)
    numbers = [cn_to_int(m.group(1)) for m in ARTICLE_START.finditer(doc.text)]
    assert numbers == list(range(1, len(numbers) + 1))
    refs = {c.ref for c in chunks}
    for number in numbers:
        assert article_ref(number) in refs
    for chunk in chunks:
        if chunk.article:
            assert chunk.ref == article_ref(chunk.article)
            assert chunk.section.endswith(chunk.ref)
            assert chunk.section.startswith("第")  # chapter kept
            assert len(chunk.text) <= 700


@requires_regulations
def test_long_article_split_keeps_article_number() -> None:
    path = next(p for p in regulation_files() if p.stem.startswith("administrative-licensing"))
    chunks = Chunker(max_chars=200).chunk(load_document(path))
    by_ref: dict[str, list[str]] = {}
    for chunk in chunks:
        by_ref.setdefault(chunk.ref, []).append(chunk.text)
    split = {ref: texts for ref, texts in by_ref.items() if len(texts) > 1 and ref.startswith("第")}
    assert split, "expected some articles longer than 200 characters"
    for ref, texts in split.items():
        assert all(t.startswith(ref) or t.startswith("第") for t in texts), ref


def test_xk_chapter_is_in_section_path() -> None:
    doc = load_document(CORPUS_DIR / "regulations" / "xk-regulation-summary.md")
    chunks = {c.ref: c for c in Chunker().chunk(doc)}
    assert chunks["第二十五条"].section.startswith("第三章")
    assert chunks["第二十五条"].article == 25
    assert "6个月" in chunks["第二十五条"].text


def test_standard_chunks_by_clause() -> None:
    doc = load_document(CORPUS_DIR / "standards" / "iso9001-2015-clauses.md")
    chunks = Chunker().chunk(doc)
    clauses = {c.clause for c in chunks}
    for clause in ("4.1", "7.1.5", "7.1.5.2", "8.5.2", "9.1.2", "9.3.2", "10.3"):
        assert clause in clauses
    c715 = next(c for c in chunks if c.clause == "7.1.5")
    assert c715.ref == "7.1.5" and "7 " in c715.section and "7.1.5" in c715.section


def test_procedure_chunks_by_numbered_section() -> None:
    doc = load_document(CORPUS_DIR / "procedures" / "huarui" / "HR-QP-05.md")
    chunks = Chunker().chunk(doc)
    assert doc.code == "HR-QP-05"
    refs = [c.ref for c in chunks]
    assert "HR-QP-05 §1" in refs and "HR-QP-05 §4.1" in refs
    assert all(r.startswith("HR-QP-05 §") for r in refs)
    assert all(c.org == "huarui" and c.code == "HR-QP-05" for c in chunks)


def test_plain_text_numbered_sections_without_markdown(tmp_path: Path) -> None:
    path = tmp_path / "ACME-QP-02 记录控制程序.txt"
    path.write_text(
        "记录控制程序\n1 目的\n规范记录。\n2 范围\n全部质量记录。\n4.1 保存期限\n质量记录保存5年。",
        encoding="utf-8",
    )
    doc = load_document(path)
    assert doc.kind is Kind.procedure and doc.code == "ACME-QP-02"
    refs = {c.ref: c.text for c in Chunker().chunk(doc)}
    assert refs["ACME-QP-02 §4.1"] == "质量记录保存5年。"


def test_guide_chunks_by_heading_and_ids_are_deterministic() -> None:
    doc = load_document(CORPUS_DIR / "guides" / "xk-licence-guide.md")
    first, second = Chunker().chunk(doc), Chunker().chunk(doc)
    assert [c.chunk_id for c in first] == [c.chunk_id for c in second]
    assert len({c.chunk_id for c in first}) == len(first)
    assert all(c.ref and c.section for c in first)
