"""Typed records passed between pipeline stages (and returned by the CLI and API)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field


class Kind(StrEnum):
    regulation = "regulation"
    standard = "standard"
    guide = "guide"
    procedure = "procedure"


DEFAULT_ORG = "public"


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
    score: float
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
