"""Typed records passed between pipeline stages (and returned by the CLI and API)."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field


class Kind(StrEnum):
    regulation = "regulation"
    standard = "standard"
    guide = "guide"
    procedure = "procedure"


DEFAULT_ORG = "public"
ORG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
"""Org ids: lowercase ASCII, so they are safe in paths, filters and URLs."""
MAX_QUESTION_CHARS = 2000


def _as_utc(moment: datetime) -> datetime:
    """SQLite hands stored UTC times back without their zone; replies carry it (RFC 3339)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


UTCDateTime = Annotated[datetime, AfterValidator(_as_utc)]
_LINE_BREAKS = "\n\r\t"


def readable_question(text: str) -> str:
    """The question, or ValueError when it holds nothing to ask: blank (spaces, U+3000 …) or
    control characters (NUL …), which would retrieve unrelated passages."""
    if not text.strip():
        raise ValueError("问题为空 / the question is blank")
    if any(unicodedata.category(c) == "Cc" and c not in _LINE_BREAKS for c in text):
        raise ValueError("问题含有控制字符 / the question holds control characters")
    return text


class SourceDocument(BaseModel):
    """A converted file: plain text (Markdown-ish headings kept) plus its metadata."""

    doc_id: str
    title: str
    kind: Kind
    org: str = DEFAULT_ORG
    version: str = ""
    source: str = ""
    code: str = ""
    path: str = ""
    text: str
    content_hash: str


def version_id(doc_id: str, content_hash: str) -> str:
    """One version of a document: its chunks' ids begin with this, its record names it."""
    return f"{doc_id}::{content_hash[:12]}"


def chunk_version(chunk_id: str) -> str:
    """The document version a chunk id belongs to (``version_id`` of its document)."""
    return chunk_id.rsplit("::", 1)[0]


class Chunk(BaseModel):
    """One retrievable passage; ``ref`` is what an answer cites (第二十五条, 7.1.5, HR-QP-05 §4)."""

    chunk_id: str
    doc_id: str
    title: str
    kind: Kind
    org: str
    ref: str
    section: str = Field(description="Section path, e.g. 第三章 审查与决定 > 第二十五条")
    text: str
    source: str = ""
    content_hash: str
    position: int
    article: int | None = Field(default=None, description="Article number for regulations")
    clause: str = Field(default="", description="Clause or section number: 7.1.5, 4.2")
    code: str = Field(default="", description="Document code for procedures: HR-QP-05")

    def embedding_text(self) -> str:
        """Text the encoder sees: title and section give short passages their context."""
        return f"{self.title} {self.section}\n{self.text}"


class Hit(BaseModel):
    doc_id: str
    title: str
    kind: Kind
    org: str
    ref: str
    text: str
    score: float = Field(
        description="The second stage's probability that the passage answers (the fused "
        "score when it is off), +1 when the question names its ref; a passage restating one "
        "above it is listed after the top five whatever its score"
    )
    similarity: float | None = Field(default=None, description="Cosine to the question")
    source: str = ""
    section: str = ""
    chunk_id: str = ""


class DocumentRecord(BaseModel):
    doc_id: str
    title: str
    kind: Kind
    org: str
    version: str = ""
    source: str = ""
    path: str = ""
    content_hash: str
    chunk_count: int
    ingested_at: str

    @property
    def chunks_version(self) -> str:
        """The version this record commits: only chunks of it are searchable."""
        return version_id(self.doc_id, self.content_hash)


class GapStatus(StrEnum):
    covered = "covered"
    partial = "partial"
    missing = "missing"
    unknown = "unknown"  # too few of the org's documents to tell missing from not uploaded


class Quote(BaseModel):
    """A sentence of the org's own document, where it stands."""

    doc_id: str
    title: str
    ref: str
    text: str


class GapItem(BaseModel):
    framework: Literal["ISO9001", "XK"]
    ref: str
    title: str
    status: GapStatus
    evidence: list[Hit] = Field(description="The org's passages that support the call")
    quotes: list[Quote] = Field(
        default_factory=list,
        description="The evidence's sentences that speak most of the requirement (none when "
        "it is missing)",
    )
    reason: str
    score: float = Field(description="Distinctive-term coverage × similarity, 0–1")


class GapReport(BaseModel):
    org: str
    items: list[GapItem]

    def counts(self) -> dict[str, int]:
        found = Counter(item.status.value for item in self.items)
        return {status.value: found.get(status.value, 0) for status in GapStatus}
