"""The chunk store: Chroma, embedded (PersistentClient) or client-server (``chroma run``).

Two collections: ``<name>`` holds chunks with their e5 vectors; ``<name>_documents`` holds
one record per document (embedded by title). Any state other processes must see (the
document list, a write generation that tells them to rebuild their lexical index) lives
in Chroma too, so several API processes can share one Chroma server.
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings

from assistant.embedding.encoder import E5ChromaEmbeddingFunction, Encoder
from assistant.schema import Chunk, DocumentRecord, Kind, chunk_version, version_id
from assistant.settings import Settings

_GENERATION_KEY = "generation"
_PAGE = 2000


class StoreError(RuntimeError):
    pass


def _present(
    ids: Sequence[str], texts: Sequence[str | None] | None, metas: Sequence[Any] | None
) -> list[tuple[int, tuple[str, str, Any]]]:
    """(row, (id, text, metadata)) of the rows still stored: a chunk deleted while it was
    being read comes back with no text or metadata, and is skipped rather than a crash."""
    rows = zip(ids, texts or [None] * len(ids), metas or [None] * len(ids), strict=True)
    return [
        (row, (cid, text, meta))
        for row, (cid, text, meta) in enumerate(rows)
        if text is not None and meta is not None
    ]


@dataclass
class StoreCheck:
    """What ``ChunkStore.check`` found: chunks no record names (left by a write that was
    killed; never searchable) and documents whose committed chunks are not all there."""

    documents: int
    chunks: int
    unreferenced: list[str]
    incomplete: list[str]
    removed: int = 0

    @property
    def consistent(self) -> bool:
        return not self.unreferenced and not self.incomplete


class SearchFilter:
    """Restrict results by kind, org and/or document; empty lists mean no restriction."""

    def __init__(
        self,
        kinds: Sequence[Kind | str] = (),
        orgs: Sequence[str] = (),
        doc_ids: Sequence[str] = (),
    ) -> None:
        self.kinds = [Kind(k).value for k in kinds]
        self.orgs = list(orgs)
        self.doc_ids = list(doc_ids)

    def conditions(self) -> dict[str, list[str]]:
        """Field -> allowed values (an empty list allows any)."""
        return {"kind": self.kinds, "org": self.orgs, "doc_id": self.doc_ids}

    def where(self, extra: dict[str, Any] | None = None) -> dict[str, Any] | None:
        """The Chroma ``where`` clause: filtering happens inside the store query."""
        clauses: list[dict[str, Any]] = []
        for key, values in self.conditions().items():
            if len(values) == 1:
                clauses.append({key: values[0]})
            elif values:
                clauses.append({key: {"$in": values}})
        if extra:
            clauses.append(extra)
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def chunk_metadata(chunk: Chunk) -> dict[str, str | int]:
    meta: dict[str, str | int] = {
        "doc_id": chunk.doc_id,
        "title": chunk.title,
        "kind": chunk.kind.value,
        "org": chunk.org,
        "ref": chunk.ref,
        "section": chunk.section,
        "source": chunk.source,
        "content_hash": chunk.content_hash,
        "position": chunk.position,
        "clause": chunk.clause,
        "article": chunk.article or 0,
        "code": chunk.code,
    }
    return meta


def chunk_from_record(chunk_id: str, text: str, meta: dict[str, Any]) -> Chunk:
    return Chunk(
        chunk_id=chunk_id,
        doc_id=str(meta["doc_id"]),
        title=str(meta["title"]),
        kind=Kind(str(meta["kind"])),
        org=str(meta["org"]),
        ref=str(meta["ref"]),
        section=str(meta.get("section", "")),
        text=text,
        source=str(meta.get("source", "")),
        content_hash=str(meta.get("content_hash", "")),
        position=int(meta.get("position", 0)),
        article=int(meta.get("article", 0)) or None,
        clause=str(meta.get("clause", "")),
        code=str(meta.get("code", "")),
    )


class ChunkStore:
    def __init__(self, settings: Settings, encoder: Encoder) -> None:
        self.settings = settings
        self.encoder = encoder
        self.writes = 0  # store calls that changed something, by this process
        self.client = self._connect(settings)
        embedding_function = E5ChromaEmbeddingFunction(encoder)
        self.chunks = self.client.get_or_create_collection(
            settings.collection,
            embedding_function=embedding_function,
            configuration={"hnsw": {"space": "cosine"}},
        )
        self.documents = self.client.get_or_create_collection(
            f"{settings.collection}_documents",
            embedding_function=embedding_function,
            configuration={"hnsw": {"space": "cosine"}},
        )

    @staticmethod
    def _connect(settings: Settings) -> Any:
        chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        try:
            if settings.chroma_host:
                return chromadb.HttpClient(
                    host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
                )
            path = Path(settings.data_dir) / "chroma"
            path.mkdir(parents=True, exist_ok=True)
            return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
        except Exception as exc:  # chroma raises bare ValueError/ConnectionError variants
            where = (
                f"{settings.chroma_host}:{settings.chroma_port}"
                if settings.chroma_host
                else settings.data_dir
            )
            raise StoreError(f"cannot open the Chroma store at {where}: {exc}") from exc

    # -- writes --------------------------------------------------------------------
    # A document version becomes searchable when its record names it (``chunks_version``),
    # not when its chunks arrive. Each write is ordered so that a kill between any two
    # store calls leaves only unreferenced chunks behind: never searchable, removed by the
    # next write of that document or by ``repair``.
    def replace_document(
        self,
        record: DocumentRecord,
        chunks: Sequence[Chunk],
        vectors: np.ndarray,
        title_vector: np.ndarray | None = None,
    ) -> None:
        """Swap a document's chunks for a new version; on failure the old version stays.
        ``title_vector``: the record's embedding, when the caller made it (else Chroma embeds
        the title here)."""
        written_at = int(time.time())
        try:
            for start in range(0, len(chunks), _PAGE):
                batch = chunks[start : start + _PAGE]
                self.chunks.upsert(
                    ids=[c.chunk_id for c in batch],
                    embeddings=vectors[start : start + _PAGE],
                    documents=[c.text for c in batch],
                    metadatas=[{**chunk_metadata(c), "written_at": written_at} for c in batch],
                )
                self._wrote()
            self.documents.upsert(  # the commit: from here on the new version is the one
                ids=[record.doc_id],
                embeddings=title_vector,
                documents=[record.title],
                metadatas=[self.document_metadata(record)],
            )
            self._wrote()
        except Exception:
            self.drop_unreferenced(record.doc_id)
            raise
        self.bump_generation()
        self.drop_unreferenced(record.doc_id)

    def delete_document(self, doc_id: str) -> int:
        """Remove a document: its record first (the commit), then its chunks."""
        record = self.get_document(doc_id)
        self.documents.delete(ids=[doc_id])
        self._wrote()
        self.bump_generation()
        dropped = self.drop_unreferenced(doc_id)
        return record.chunk_count if record else dropped

    def drop_unreferenced(self, doc_id: str) -> int:
        """Delete the document's chunks its record does not name (all, when it has none):
        what a killed write of it left behind."""
        record = self.get_document(doc_id)
        keep = record.chunks_version if record else None
        stale = [cid for cid in self.chunk_ids(doc_id) if chunk_version(cid) != keep]
        self._delete_chunks(stale)
        return len(stale)

    def _delete_chunks(self, ids: Sequence[str]) -> None:
        for start in range(0, len(ids), _PAGE):
            self.chunks.delete(ids=list(ids[start : start + _PAGE]))
            self._wrote()

    def _wrote(self) -> None:
        """Count a store write; the crash test hook kills the process after the n-th."""
        self.writes += 1
        if self.writes == self.settings.crash_after_writes:
            os.kill(os.getpid(), signal.SIGKILL)

    @staticmethod
    def document_metadata(record: DocumentRecord) -> dict[str, str | int]:
        return {
            "title": record.title,
            "kind": record.kind.value,
            "org": record.org,
            "version": record.version,
            "source": record.source,
            "path": record.path,
            "content_hash": record.content_hash,
            "chunk_count": record.chunk_count,
            "ingested_at": record.ingested_at,
        }

    def bump_generation(self) -> None:
        self.documents.modify(metadata={_GENERATION_KEY: uuid.uuid4().hex})
        self._wrote()

    def generation(self) -> str:
        """Changes on every write by any process sharing this store."""
        collection = self.client.get_collection(
            self.documents.name,
            embedding_function=self.documents._embedding_function,
        )
        return str((collection.metadata or {}).get(_GENERATION_KEY, ""))

    # -- reads ---------------------------------------------------------------------
    def chunk_ids(self, doc_id: str) -> list[str]:
        return list(self.chunks.get(where={"doc_id": doc_id}, include=[])["ids"])

    def get_document(self, doc_id: str) -> DocumentRecord | None:
        found = self.documents.get(ids=[doc_id], include=["metadatas"])
        if not found["ids"]:
            return None
        return self._record(found["ids"][0], found["metadatas"][0])

    def list_documents(self, filters: SearchFilter | None = None) -> list[DocumentRecord]:
        where = filters.where() if filters else None
        if filters and filters.doc_ids and where is not None:
            # documents are keyed by id, not by a doc_id field
            rest = SearchFilter(kinds=filters.kinds, orgs=filters.orgs).where()
            found = self.documents.get(ids=filters.doc_ids, where=rest, include=["metadatas"])
        else:
            found = self.documents.get(where=where, include=["metadatas"])
        records = [
            self._record(doc_id, meta)
            for doc_id, meta in zip(found["ids"], found["metadatas"] or [], strict=True)
        ]
        return sorted(records, key=lambda r: (r.kind.value, r.org, r.doc_id))

    @staticmethod
    def _record(doc_id: str, meta: Any) -> DocumentRecord:
        return DocumentRecord(doc_id=doc_id, **dict(meta))

    def committed_versions(self) -> set[str]:
        """The document versions the records name: the only chunks anyone may be shown."""
        found = self.documents.get(include=["metadatas"])
        return {
            version_id(doc_id, str(meta.get("content_hash", "")))
            for doc_id, meta in zip(found["ids"], found["metadatas"] or [], strict=True)
        }

    def document_chunks(self, doc_id: str) -> list[Chunk]:
        return self.chunks_matching({"doc_id": doc_id})

    def chunks_matching(
        self, where: dict[str, Any] | None, limit: int | None = None
    ) -> list[Chunk]:
        """Committed chunks (no vectors) by metadata, in document order."""
        committed = self.committed_versions()
        found = self.chunks.get(where=where, limit=limit, include=["documents", "metadatas"])
        kept = _present(found["ids"], found["documents"], found["metadatas"])
        chunks = [
            chunk_from_record(*record)
            for _, record in kept
            if chunk_version(record[0]) in committed
        ]
        return sorted(chunks, key=lambda c: (c.doc_id, c.position))

    def get_chunks(
        self, ids: Sequence[str] = (), where: dict[str, Any] | None = None, limit: int | None = None
    ) -> tuple[list[Chunk], np.ndarray]:
        """Chunks with their stored vectors, by id and/or metadata."""
        found = self.chunks.get(
            ids=list(ids) or None,
            where=where,
            limit=limit,
            include=["documents", "metadatas", "embeddings"],
        )
        kept = _present(found["ids"], found["documents"], found["metadatas"])
        chunks = [chunk_from_record(*record) for _, record in kept]
        embeddings = found["embeddings"]
        vectors = (
            np.asarray(embeddings, dtype=np.float32)[[row for row, _ in kept]]
            if embeddings is not None and len(embeddings) and kept
            else np.zeros((0, 0), dtype=np.float32)
        )
        return chunks, vectors

    def dense_query(
        self, vector: np.ndarray, n: int, where: dict[str, Any] | None = None
    ) -> list[tuple[str, float]]:
        """(chunk id, cosine) of the ``n`` nearest chunks. Ids only: reading the metadata of
        40 candidates costs three times the query itself (3.3 of 3.7 ms), and only the few
        ranked first are shown (``chunks_by_id``)."""
        # no count() guard: it costs ~13 ms at 100k chunks; an empty store returns no ids
        found = self.chunks.query(
            query_embeddings=[vector], n_results=n, where=where, include=["distances"]
        )
        distances = (found["distances"] or [[]])[0]
        return [(cid, 1.0 - float(d)) for cid, d in zip(found["ids"][0], distances, strict=True)]

    def existing_ids(self, ids: Sequence[str]) -> set[str]:
        """Which of ``ids`` the store still holds (ids only: a quarter of reading vectors)."""
        if not ids:
            return set()
        return set(self.chunks.get(ids=list(ids), include=[])["ids"])

    def vectors_by_id(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Stored vectors of the chunks that still exist (a deleted id is left out)."""
        if not ids:
            return {}
        found = self.chunks.get(ids=list(ids), include=["embeddings"])
        embeddings = found["embeddings"]
        if embeddings is None or not len(embeddings):
            return {}
        matrix = np.asarray(embeddings, dtype=np.float32)
        return {cid: matrix[row] for row, cid in enumerate(found["ids"])}

    def chunks_by_id(self, ids: Sequence[str]) -> dict[str, Chunk]:
        """The chunks that still exist, by id (a deleted id is left out)."""
        if not ids:
            return {}
        found = self.chunks.get(ids=list(ids), include=["documents", "metadatas"])
        kept = _present(found["ids"], found["documents"], found["metadatas"])
        return {found["ids"][row]: chunk_from_record(*record) for row, record in kept}

    def iter_chunk_pages(
        self, page: int = _PAGE
    ) -> Iterator[tuple[list[str], list[str], list[Any]]]:
        """All chunks (ids, texts, metadatas) in pages, for building the lexical index."""
        offset = 0
        while True:
            found = self.chunks.get(limit=page, offset=offset, include=["documents", "metadatas"])
            if not found["ids"]:
                return
            yield list(found["ids"]), list(found["documents"] or []), list(found["metadatas"] or [])
            offset += len(found["ids"])

    def count(self) -> int:
        return int(self.chunks.count())

    # -- consistency -----------------------------------------------------------------
    def check(self) -> StoreCheck:
        """Compare the chunks with the records (ids only, in pages)."""
        records = {r.doc_id: r for r in self.list_documents()}
        committed: dict[str, int] = {r.chunks_version: 0 for r in records.values()}
        unreferenced: list[str] = []
        offset = 0
        while True:
            page = self.chunks.get(limit=_PAGE, offset=offset, include=[])["ids"]
            if not page:
                break
            offset += len(page)
            for chunk_id in page:
                version = chunk_version(chunk_id)
                if version in committed:
                    committed[version] += 1
                else:
                    unreferenced.append(chunk_id)
        incomplete = sorted(
            doc_id
            for doc_id, record in records.items()
            if committed[record.chunks_version] != record.chunk_count
        )
        return StoreCheck(
            documents=len(records),
            chunks=offset,
            unreferenced=sorted(unreferenced),
            incomplete=incomplete,
        )

    def repair(self, grace_seconds: float) -> StoreCheck:
        """Remove unreferenced chunks older than ``grace_seconds`` (younger ones may be a
        write in progress in another process); returns what was found before."""
        found = self.check()
        cutoff = time.time() - grace_seconds
        for start in range(0, len(found.unreferenced), _PAGE):
            page = self.chunks.get(
                ids=found.unreferenced[start : start + _PAGE], include=["metadatas"]
            )
            stale = [
                cid
                for cid, meta in zip(page["ids"], page["metadatas"] or [], strict=True)
                if int((meta or {}).get("written_at", 0)) <= cutoff
            ]
            self._delete_chunks(stale)
            found.removed += len(stale)
        return found


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
