"""``KnowledgeBase``: the library's front door (ingest, search, documents), used by the CLI
and, later, the API — neither needs the other."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from assistant.embedding.encoder import Encoder, get_encoder
from assistant.ingest.pipeline import FileResult, Ingester, IngestReport, PreparedDocument
from assistant.retrieval.glossary import expand_query
from assistant.retrieval.hybrid import HybridRetriever, Mode
from assistant.schema import (
    MAX_QUESTION_CHARS,
    Chunk,
    DocumentRecord,
    Hit,
    Kind,
    SourceDocument,
)
from assistant.settings import Settings, get_settings
from assistant.store.chroma_store import ChunkStore, SearchFilter
from assistant.store.derived import DerivedFiles, digest
from assistant.text.segmenter import use_cache_dir


class KnowledgeBase:
    def __init__(self, settings: Settings | None = None, encoder: Encoder | None = None) -> None:
        self.settings = settings or get_settings()
        self.encoder = encoder or get_encoder(self.settings)
        self.store = ChunkStore(self.settings, self.encoder)
        self.derived = DerivedFiles(self.settings.data_dir / "derived")
        use_cache_dir(self.derived.directory)
        self.retriever = HybridRetriever(self.store, self.settings, self.derived)
        self.ingester = Ingester(self.store, self.settings)

    def ingest(
        self,
        paths: Iterable[Path],
        *,
        kind: Kind | None = None,
        org: str | None = None,
        title: str | None = None,
        progress: bool | None = None,
    ) -> IngestReport:
        report = self.ingester.ingest_paths(
            paths, kind=kind, org=org, title=title, progress=progress
        )
        self.retriever.lexical.invalidate()
        return report

    def prepare(self, doc: SourceDocument) -> PreparedDocument:
        """Chunk and embed a document ``ingester.load`` read; nothing is written (raises
        ``IngestError`` when it cannot be indexed)."""
        return self.ingester.prepare(doc)

    def write(self, prepared: PreparedDocument) -> FileResult:
        """Index what ``prepare`` made; on failure the index stays as it was."""
        result = self.ingester.commit(prepared)
        self.retriever.lexical.invalidate()
        return result

    def search(
        self,
        question: str,
        k: int = 5,
        filters: SearchFilter | None = None,
        mode: Mode = Mode.hybrid,
        query_vector: np.ndarray | None = None,
    ) -> list[Hit]:
        question = question.strip()
        if not question:
            raise ValueError("question is empty")
        if len(question) > MAX_QUESTION_CHARS:
            raise ValueError(f"question is too long ({len(question)} > {MAX_QUESTION_CHARS})")
        if not 1 <= k <= 100:
            raise ValueError("k must be between 1 and 100")
        return self.retriever.search(question, k, filters, mode, query_vector)

    def fixed_vectors(self, kind: str, texts: Sequence[str], *, is_query: bool) -> np.ndarray:
        """Vectors of texts that change only with a release (the off-topic subjects, the gap
        requirements' queries), made once per data dir and engine and loaded by every later
        process: 1.3 s of a cold ``certguide ask`` went to embedding the subjects again.
        Query-side texts are glossary-expanded as ``search`` would (and named by that)."""
        if is_query:
            texts, embed = [expand_query(t) for t in texts], self.encoder.embed_queries
        else:
            embed = self.encoder.embed_references
        key = digest(self.encoder.identity, "query" if is_query else "passage", texts)
        return self.derived.vectors(kind, key, lambda: embed(texts))

    def documents(self, filters: SearchFilter | None = None) -> list[DocumentRecord]:
        return self.store.list_documents(filters)

    def document(self, doc_id: str) -> tuple[DocumentRecord, list[Chunk]] | None:
        record = self.store.get_document(doc_id)
        if record is None:
            return None
        return record, self.store.document_chunks(doc_id)

    def delete(self, doc_id: str) -> bool:
        if self.store.get_document(doc_id) is None:
            return False
        self.store.delete_document(doc_id)
        self.retriever.lexical.invalidate()
        return True

    def stats(self) -> dict[str, object]:
        records = self.documents()
        by_kind: dict[str, int] = {}
        by_org: dict[str, int] = {}
        for record in records:
            by_kind[record.kind.value] = by_kind.get(record.kind.value, 0) + record.chunk_count
            by_org[record.org] = by_org.get(record.org, 0) + record.chunk_count
        return {
            "documents": len(records),
            "chunks": self.store.count(),
            "chunks_by_kind": by_kind,
            "chunks_by_org": by_org,
            "embedding_model": self.encoder.name,
            "store": (
                f"chroma server {self.settings.chroma_host}:{self.settings.chroma_port}"
                if self.settings.chroma_host
                else f"chroma embedded {Path(self.settings.data_dir) / 'chroma'}"
            ),
        }
