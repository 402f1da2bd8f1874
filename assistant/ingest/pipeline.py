"""Ingestion: convert -> chunk -> embed -> write, one document at a time.

Everything that can fail on bad input (reading, decoding, chunking, embedding) happens
before the store is touched, and the store swaps a document's chunks as one step, so a
failed file leaves the index as it was and the other files still go in.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tqdm import tqdm

from assistant.ingest.chunking import Chunker
from assistant.ingest.convert import SUPPORTED_SUFFIXES, IngestError, load_document
from assistant.schema import Chunk, DocumentRecord, Kind, SourceDocument
from assistant.settings import Settings
from assistant.store.chroma_store import ChunkStore, now_iso


@dataclass
class FileResult:
    path: str
    status: str  # added | updated | unchanged | failed
    doc_id: str = ""
    chunks: int = 0
    error: str = ""


@dataclass
class PreparedDocument:
    """A document chunked and embedded, not yet written (no chunks: it was unchanged)."""

    doc: SourceDocument
    chunks: list[Chunk] = field(default_factory=list)
    vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))
    title_vector: np.ndarray | None = None


@dataclass
class IngestReport:
    results: list[FileResult] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def failed(self) -> list[FileResult]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def chunks_written(self) -> int:
        return sum(r.chunks for r in self.results if r.status in ("added", "updated"))

    def summary(self) -> str:
        return (
            f"added {self.count('added')}, updated {self.count('updated')}, "
            f"unchanged {self.count('unchanged')}, failed {self.count('failed')}; "
            f"{self.chunks_written} chunks written"
        )


def expand_paths(paths: Iterable[Path]) -> Iterator[Path]:
    """Files as given, and supported files inside folders (sorted, README.md skipped)."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if (
                    child.is_file()
                    and child.suffix.lower() in SUPPORTED_SUFFIXES
                    and child.name.lower() != "readme.md"
                    and not any(part.startswith(".") for part in child.relative_to(path).parts)
                ):
                    yield child
        else:
            yield path


class Ingester:
    def __init__(self, store: ChunkStore, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self.chunker = Chunker(settings.chunk_max_chars, settings.chunk_overlap_chars)

    def ingest_paths(
        self,
        paths: Iterable[Path],
        *,
        kind: Kind | None = None,
        org: str | None = None,
        title: str | None = None,
        progress: bool | None = None,
    ) -> IngestReport:
        files = list(expand_paths(paths))
        report = IngestReport()
        seen: dict[str, str] = {}
        show = sys.stderr.isatty() and len(files) > 1 if progress is None else progress
        for path in tqdm(files, desc="ingest", unit="file", disable=not show):
            try:
                doc = self.load(path, kind=kind, org=org, title=title)
                if doc.doc_id in seen:
                    raise IngestError(
                        path, f"document id {doc.doc_id!r} already used by {seen[doc.doc_id]}"
                    )
                seen[doc.doc_id] = str(path)
                report.results.append(self.ingest_document(doc))
            except IngestError as exc:
                report.results.append(FileResult(str(path), "failed", error=exc.reason))
        return report

    def load(
        self,
        path: Path,
        *,
        kind: Kind | None = None,
        org: str | None = None,
        title: str | None = None,
    ) -> SourceDocument:
        """Read and parse one file, within the size limits; the store is not touched, so a
        server does this before taking its write lock (a bad or huge file is refused without
        holding up other writers)."""
        if not path.exists():
            raise IngestError(path, "no such file or folder")
        return load_document(
            path,
            kind=kind,
            org=org,
            title=title,
            max_bytes=self.settings.max_file_bytes,
            max_paragraphs=self.settings.max_paragraphs,
        )

    def ingest_document(self, doc: SourceDocument) -> FileResult:
        return self.commit(self.prepare(doc))

    def prepare(self, doc: SourceDocument) -> PreparedDocument:
        """Chunk and embed, reading the store but not writing it: a server does this outside
        its write lock, so one large file being embedded holds up no other writer."""
        doc, existing = self._resolve_id(doc)
        if existing and existing.content_hash == doc.content_hash:
            return PreparedDocument(doc)
        chunks = self.chunker.chunk(doc)
        if not chunks:
            raise IngestError(doc.path, "no text to index after chunking")
        vectors = self.store.encoder.embed_passages([c.embedding_text() for c in chunks])
        title_vector = self.store.encoder.embed_passages([doc.title])
        return PreparedDocument(doc, chunks, vectors, title_vector)

    def commit(self, prepared: PreparedDocument) -> FileResult:
        """Write what ``prepare`` made (under the server's write lock). The record is read
        again: another writer may have stored this content, or taken the id, meanwhile."""
        doc = prepared.doc
        existing = self.store.get_document(doc.doc_id)
        if existing is not None and existing.org != doc.org:
            raise IngestError(doc.path, f"document id {doc.doc_id!r} was just taken; try again")
        if existing and existing.content_hash == doc.content_hash:
            self.store.drop_unreferenced(doc.doc_id)  # a killed write's, if any
            return FileResult(doc.path, "unchanged", doc.doc_id, existing.chunk_count)
        if not prepared.chunks:  # prepared as unchanged, but changed since
            return self.commit(self.prepare(doc))
        record = DocumentRecord(
            doc_id=doc.doc_id,
            title=doc.title,
            kind=doc.kind,
            org=doc.org,
            version=doc.version,
            source=doc.source,
            path=doc.path,
            content_hash=doc.content_hash,
            chunk_count=len(prepared.chunks),
            ingested_at=now_iso(),
        )
        self.store.replace_document(
            record, prepared.chunks, prepared.vectors, prepared.title_vector
        )
        status = "updated" if existing else "added"
        return FileResult(doc.path, status, doc.doc_id, len(prepared.chunks))

    def _resolve_id(self, doc: SourceDocument) -> tuple[SourceDocument, DocumentRecord | None]:
        """The id this document is stored under, and the record stored under it now."""
        existing = self.store.get_document(doc.doc_id)
        if existing is not None and existing.org != doc.org:
            # Ids are global but orgs must never overwrite each other: the newcomer's id
            # carries its org (the same on every re-ingest, so updates still find it).
            doc = doc.model_copy(update={"doc_id": f"{doc.org}-{doc.doc_id}"})
            existing = self.store.get_document(doc.doc_id)
            if existing is not None and existing.org != doc.org:
                raise IngestError(doc.path, f"document id {doc.doc_id!r} is taken; rename the file")
        return doc, existing
