"""Converters: encodings, formats, and clear errors for bad files."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from assistant.ingest.convert import IngestError, decode_text, file_to_text, load_document
from assistant.schema import Kind

TEXT = (
    "第一条 为规范记录管理，制定本规定。\n"
    "第二条 质量记录保存不少于3年。\n"
    "第三条 本规定自发布之日起施行。"
)


def test_utf8_gb18030_and_bom_decode_alike(tmp_path: Path) -> None:
    variants = {
        "utf8.txt": TEXT.encode("utf-8"),
        "bom.txt": TEXT.encode("utf-8-sig"),
        "gbk.txt": TEXT.encode("gbk"),
        "gb18030.txt": TEXT.encode("gb18030"),
    }
    docs = []
    for name, raw in variants.items():
        (tmp_path / name).write_bytes(raw)
        docs.append(load_document(tmp_path / name))
    assert {d.text for d in docs} == {TEXT}
    assert all(d.kind is Kind.regulation for d in docs)


def test_binary_and_empty_files_are_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.md"
    empty.write_bytes(b"")
    with pytest.raises(IngestError, match="empty"):
        load_document(empty)
    binary = tmp_path / "blob.txt"
    binary.write_bytes(b"\x00\x01\x02PK\x03\x04" * 50)
    with pytest.raises(IngestError, match="binary"):
        load_document(binary)
    blank = tmp_path / "blank.md"
    blank.write_text("---\ntitle: x\n---\n\n   \n", encoding="utf-8")
    with pytest.raises(IngestError, match="no text"):
        load_document(blank)


def test_too_large_and_unsupported(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_text("质量" * 5000, encoding="utf-8")
    with pytest.raises(IngestError, match="too large"):
        load_document(big, max_bytes=1000)
    exe = tmp_path / "tool.exe"
    exe.write_bytes(b"MZ")
    with pytest.raises(IngestError, match="unsupported file type"):
        load_document(exe)


def test_bad_front_matter_and_kind(tmp_path: Path) -> None:
    bad = tmp_path / "bad.md"
    bad.write_text("---\ntitle: [unclosed\n---\n正文内容", encoding="utf-8")
    with pytest.raises(IngestError, match="front matter"):
        load_document(bad)
    wrong_kind = tmp_path / "kind.md"
    wrong_kind.write_text("---\nkind: novel\n---\n正文内容", encoding="utf-8")
    with pytest.raises(IngestError, match="unknown kind"):
        load_document(wrong_kind)


def test_front_matter_and_overrides(tmp_path: Path) -> None:
    path = tmp_path / "p.md"
    path.write_text(
        "---\nid: ACME-QP-01\ntitle: 文件控制程序\nkind: procedure\norg: acme\n---\n"
        "# ACME-QP-01 文件控制程序\n## 1 目的\n规范文件。",
        encoding="utf-8",
    )
    doc = load_document(path)
    assert (doc.doc_id, doc.title, doc.kind, doc.org, doc.code) == (
        "ACME-QP-01", "文件控制程序", Kind.procedure, "acme", "ACME-QP-01",
    )  # fmt: skip
    other = load_document(path, org="beta", title="新标题")
    assert other.org == "beta" and other.title == "新标题"
    assert other.content_hash != doc.content_hash
    with pytest.raises(IngestError, match="invalid org"):
        load_document(path, org="Bad Org!")


def test_docx_headings_become_sections(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("供应商管理规定", level=0)
    document.add_heading("4 评价", level=1)
    document.add_paragraph("每年对供应商评分，低于75分为C级。")
    path = tmp_path / "supplier.docx"
    document.save(str(path))
    doc = load_document(path, kind=Kind.procedure)
    assert "## 4 评价" in doc.text and "C级" in doc.text


def test_broken_docx_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.docx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(IngestError, match=r"cannot read \.docx"):
        load_document(path)


def test_pdf_text_layer(tmp_path: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "rule.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setFont("STSong-Light", 12)
    pdf.drawString(72, 760, "第一条 测量设备每12个月校准一次。")
    pdf.drawString(72, 740, "第二条 校准证书由质量部保存。")
    pdf.drawString(72, 720, "第三条 本规定自发布之日起施行。")
    pdf.save()
    doc = load_document(path)
    assert "12个月校准" in doc.text.replace(" ", "")


def test_pdf_without_text_and_garbage_pdf(tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    blank = tmp_path / "scan.pdf"
    canvas.Canvas(str(blank)).save()
    with pytest.raises(IngestError, match="no text layer"):
        load_document(blank)
    garbage = tmp_path / "garbage.pdf"
    garbage.write_bytes(b"%PDF-1.4 garbage without structure")
    with pytest.raises(IngestError):
        load_document(garbage)


def test_html_keeps_headings_and_drops_scripts(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><meta charset='utf-8'><title>计量器具管理</title>"
        "<script>var x = '不应出现';</script></head><body>"
        "<h2>校准周期</h2><p>计量器具每12个月送检一次。</p></body></html>",
        encoding="utf-8",
    )
    doc = load_document(path)
    assert doc.title == "计量器具管理"
    assert "## 校准周期" in doc.text and "不应出现" not in doc.text


def test_decode_rejects_undecodable_bytes() -> None:
    with pytest.raises(IngestError):
        decode_text(b"\x00\x00\x00\x00", "x.txt")


def _docx_with_paragraphs(path: Path, count: int) -> Path:
    """A real .docx (python-docx) whose body then holds ``count`` empty paragraphs."""
    import docx

    document = docx.Document()
    document.add_heading("压缩炸弹", level=1)
    document.save(str(path))
    with zipfile.ZipFile(path) as original:
        parts = {name: original.read(name) for name in original.namelist()}
    body = parts["word/document.xml"]
    at = body.index(b"<w:sectPr")
    parts["word/document.xml"] = body[:at] + b"<w:p></w:p>" * count + body[at:]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bomb:
        for name, data in parts.items():
            bomb.writestr(name, data)
    return path


def test_a_docx_zip_bomb_is_refused_before_parsing(tmp_path: Path) -> None:
    bomb = _docx_with_paragraphs(tmp_path / "bomb.docx", 2_000_000)
    assert bomb.stat().st_size < 100_000  # 22 MB of paragraphs, zipped
    with pytest.raises(IngestError, match="over 50000 paragraphs"):
        load_document(bomb)
    with pytest.raises(IngestError, match="unzips to over 1000000 bytes"):
        file_to_text(bomb, max_bytes=1_000_000, max_paragraphs=10**9)
    # a normal document with many paragraphs still reads
    fine = _docx_with_paragraphs(tmp_path / "fine.docx", 100)
    assert "压缩炸弹" in load_document(fine).text
