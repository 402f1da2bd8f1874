"""The built-in corpus: well-formed, complete, and in our own words."""

from __future__ import annotations

import re

import pytest

from assistant.ingest.convert import load_document, split_front_matter
from assistant.refs import article_ref
from assistant.schema import Kind
from tests.conftest import CORPUS_DIR, requires_regulations
from tests.copycheck import copied_runs

FILES = sorted(p for p in CORPUS_DIR.rglob("*.md") if p.name != "README.md")


def test_front_matter_is_complete() -> None:
    assert len(FILES) >= 21
    for path in FILES:
        meta, _ = split_front_matter(path.read_text(encoding="utf-8"), path)
        for key in ("id", "title", "kind", "org", "version", "source"):
            assert meta.get(key), f"{path}: missing {key}"
        assert Kind(meta["kind"])


def test_iso_clauses_cover_4_1_to_10_3() -> None:
    text = (CORPUS_DIR / "standards" / "iso9001-2015-clauses.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## ([\d.]+) ", text, re.MULTILINE)
    for clause in ("4.1", "4.4.1", "5.1.2", "6.1.2", "7.1.5.1", "7.5.3.2", "8.3.6", "8.5.6",
                   "8.7.2", "9.1.3", "9.2.2", "9.3.3", "10.2.2", "10.3"):  # fmt: skip
        assert clause in headings
    assert "典型审核证据" in text


def test_xk_summary_has_all_70_articles() -> None:
    doc = load_document(CORPUS_DIR / "regulations" / "xk-regulation-summary.md")
    for number in range(1, 71):
        assert re.search(rf"^{article_ref(number)} ", doc.text, re.MULTILINE), number
    assert doc.text.count("【摘要】") >= 70


@pytest.mark.parametrize(
    ("code", "facts"),
    [
        ("01", ["HR-QP", "HR-WI", "HR-QR", "作废"]),
        ("02", ["3年", "5年", "永久"]),
        ("03", ["12个月", "30天"]),
        ("04", ["12月", "总经理"]),
        ("05", ["不合格", "返工", "降级使用", "让步接收", "报废", "书面同意"]),
        ("06", ["8D", "7天"]),
        ("07", ["90", "75", "3个月", "3批"]),
        ("08", ["12个月", "法定计量检定机构"]),
        ("09", ["24小时", "10个工作日"]),
        ("10", ["9个月", "6个月"]),
        ("11", ["16小时", "挤出", "交联", "双证联动"]),
        ("12", ["导体直流电阻", "绝缘厚度", "电压试验", "合格证"]),
        ("13", ["每半年", "12"]),
        ("14", ["99.5%", "6"]),
    ],
)
def test_huarui_procedures_state_their_facts(code: str, facts: list[str]) -> None:
    doc = load_document(CORPUS_DIR / "procedures" / "huarui" / f"HR-QP-{code}.md")
    assert doc.org == "huarui" and doc.kind is Kind.procedure
    for fact in facts:
        assert fact in doc.text, f"HR-QP-{code} lacks {fact}"


@requires_regulations
def test_corpus_shares_no_long_run_with_official_texts() -> None:
    copied: list[str] = []
    for path in FILES:
        _, body = split_front_matter(path.read_text(encoding="utf-8"), path)
        copied.extend(f"{path.name}: {run}" for run in sorted(copied_runs(body))[:3])
    assert not copied, "\n".join(copied)


def test_corpus_files_parse() -> None:
    for path in FILES:
        doc = load_document(path)
        assert doc.text and doc.title
        if "procedures" in path.parts:
            assert re.fullmatch(r"HR-QP-\d{2}", doc.code)
