"""Converters: a file on disk -> ``SourceDocument`` (text with Markdown headings + metadata)."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import yaml

from assistant.ingest.detect import detect_kind
from assistant.refs import PROCEDURE_RE
from assistant.schema import DEFAULT_ORG, ORG_RE, Kind, SourceDocument

SUPPORTED_SUFFIXES = (".md", ".markdown", ".txt", ".docx", ".pdf", ".html", ".htm")
CONVERTER_VERSION = "1"
_FRONT_MATTER_RE = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)
_HTML_COMMENT_RE = re.compile(r"<!--.*?-->", re.DOTALL)
_ID_UNSAFE_RE = re.compile(r"[^\w.\-]+")
_DOCX_BODY = "word/document.xml"
_SCAN_BLOCK = 1 << 20


class IngestError(Exception):
    """A file that cannot be ingested; the message names the file and the reason."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


def decode_text(raw: bytes, path: Path | str) -> str:
    """UTF-8 (with or without BOM), else GB18030 (a superset of GBK/GB2312)."""
    if b"\x00" in raw[:4096] and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise IngestError(path, "looks like a binary file, not text")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    if best is None:
        raise IngestError(path, "cannot detect the text encoding (tried UTF-8, GB18030)")
    return str(best)


def check_docx_size(raw: bytes, path: Path | str, max_bytes: int, max_paragraphs: int) -> None:
    """Refuse a .docx whose body unzips past ``max_bytes`` or holds more than
    ``max_paragraphs`` paragraphs before parsing it: 18 KB can unzip to 2 million empty
    paragraphs, which python-docx takes a minute and gigabytes to read. The body is streamed
    and counted, so a lying size in the zip directory does not help."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive, archive.open(_DOCX_BODY) as body:
            size = paragraphs = 0
            tail = b""
            while block := body.read(_SCAN_BLOCK):
                size += len(block)
                if size > max_bytes:
                    raise IngestError(path, f"document body unzips to over {max_bytes} bytes")
                window = tail + block  # a tag split across two blocks (5 bytes > tail)
                paragraphs += window.count(b"<w:p>") + window.count(b"<w:p ")
                tail = block[-4:]
                if paragraphs > max_paragraphs:
                    raise IngestError(path, f"document has over {max_paragraphs} paragraphs")
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        raise IngestError(path, f"cannot read .docx: {exc}") from exc


def _docx_to_text(raw: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(raw))
    lines: list[str] = []
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        if not text:
            continue
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        level = _heading_level(style)
        lines.append(f"{'#' * level} {text}" if level else text)
    for table in document.tables:
        for row in table.rows:
            cells = [cell.text.strip() for cell in row.cells]
            lines.append(" | ".join(cell for cell in cells if cell))
    return "\n\n".join(lines)


def _heading_level(style: str) -> int:
    match = re.match(r"(?:Heading|标题)\s*(\d)", style)
    if match:
        return min(int(match.group(1)) + 1, 6)  # Heading 1 -> "##": "#" is the title
    return 1 if style in ("Title", "标题") else 0


def _pdf_to_text(raw: bytes, path: Path | str) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(raw))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError) as exc:
        raise IngestError(path, f"cannot read PDF: {exc}") from exc
    text = "\n".join(pages)
    if not text.strip():
        raise IngestError(path, "PDF has no text layer (scanned images are not supported)")
    return text


def _html_to_text(raw: bytes, path: Path | str) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(raw, "html.parser")
    for tag in soup(["script", "style", "nav", "footer", "header"]):
        tag.decompose()
    title = soup.title.get_text(strip=True) if soup.title else ""
    lines: list[str] = [f"# {title}"] if title else []
    for element in soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "td", "pre"]):
        text = element.get_text(" ", strip=True)
        if not text:
            continue
        if element.name and element.name[0] == "h":
            level = int(element.name[1])
            lines.append(f"{'#' * level} {text}")
        else:
            lines.append(text)
    return "\n\n".join(lines)


def split_front_matter(text: str, path: Path | str) -> tuple[dict[str, Any], str]:
    match = _FRONT_MATTER_RE.match(text)
    if not match:
        return {}, text
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise IngestError(path, f"invalid front matter: {exc}") from exc
    if not isinstance(meta, dict):
        raise IngestError(path, "front matter must be a mapping of key: value")
    return {str(k): v for k, v in meta.items()}, text[match.end() :]


def file_to_text(path: Path, max_bytes: int, max_paragraphs: int = 50_000) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise IngestError(
            path,
            f"unsupported file type {suffix or '(none)'}; "
            f"supported: {', '.join(SUPPORTED_SUFFIXES)}",
        )
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise IngestError(path, f"cannot read: {exc.strerror}") from exc
    if size == 0:
        raise IngestError(path, "file is empty")
    if size > max_bytes:
        raise IngestError(path, f"file is too large ({size} bytes; limit {max_bytes})")
    raw = path.read_bytes()
    if suffix == ".docx":
        check_docx_size(raw, path, max_bytes, max_paragraphs)
        try:
            return _docx_to_text(raw)
        except Exception as exc:  # python-docx raises many types for broken zips
            raise IngestError(path, f"cannot read .docx: {exc}") from exc
    if suffix == ".pdf":
        return _pdf_to_text(raw, path)
    if suffix in (".html", ".htm"):
        return _html_to_text(raw, path)
    return decode_text(raw, path)


def normalise(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u3000", " ")
    text = _HTML_COMMENT_RE.sub("", text)
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def slug(value: str) -> str:
    cleaned = _ID_UNSAFE_RE.sub("-", value.strip()).strip("-")
    return cleaned[:120] or "document"


def _first_heading(text: str) -> str:
    match = re.search(r"^#\s+(.+)$", text, re.MULTILINE)
    return match.group(1).strip() if match else ""


def load_document(
    path: Path,
    *,
    kind: Kind | None = None,
    org: str | None = None,
    title: str | None = None,
    max_bytes: int = 20 * 1024 * 1024,
    max_paragraphs: int = 50_000,
) -> SourceDocument:
    text = file_to_text(path, max_bytes, max_paragraphs)
    meta, body = split_front_matter(text, path)
    body = normalise(body)
    if len(re.sub(r"\s", "", body)) < 2:
        raise IngestError(path, "no text content")
    doc_title = title or str(meta.get("title") or "") or _first_heading(body) or path.stem
    doc_kind = kind or _parse_kind(meta.get("kind"), path) or detect_kind(body, doc_title)
    doc_org = org or str(meta.get("org") or DEFAULT_ORG)
    if not ORG_RE.match(doc_org):
        raise IngestError(path, f"invalid org id {doc_org!r} (lowercase letters, digits, - _)")
    doc_id = slug(str(meta.get("id") or path.stem))
    code = str(meta.get("code") or "")
    if not code and doc_kind is Kind.procedure:
        found = PROCEDURE_RE.search(f"{doc_id} {doc_title}")
        code = found.group(1) if found else ""
    fingerprint = "\x1f".join(
        [CONVERTER_VERSION, body, doc_kind.value, doc_org, doc_title, code, doc_id]
    )
    return SourceDocument(
        doc_id=doc_id,
        title=doc_title,
        kind=doc_kind,
        org=doc_org,
        version=str(meta.get("version") or ""),
        source=str(meta.get("source") or path.name),
        code=code,
        path=str(path),
        text=body,
        content_hash=hashlib.sha256(fingerprint.encode("utf-8")).hexdigest(),
    )


def _parse_kind(value: object, path: Path) -> Kind | None:
    if value is None or value == "":
        return None
    try:
        return Kind(str(value))
    except ValueError:
        allowed = ", ".join(k.value for k in Kind)
        raise IngestError(path, f"unknown kind {value!r} (one of {allowed})") from None
