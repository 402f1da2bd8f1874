"""Hybrid retrieval: dense (e5 in Chroma) + BM25 bigrams, fused by a normalised score mix
(default; beat reciprocal rank fusion on the dev split) or RRF.

A question that names a reference (第十九条, 7.1.5, HR-QP-05 §4) puts the chunks carrying
that ref first; filters (kind, org, document) are applied inside both retrievers.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, TypeVar

import numpy as np

from assistant.refs import QueryRefs, find_refs
from assistant.retrieval.glossary import expand_query
from assistant.retrieval.lexical import BM25Index, tokenize
from assistant.retrieval.rerank import Candidate, Reranker
from assistant.schema import Chunk, Hit, chunk_version
from assistant.settings import Settings
from assistant.store.chroma_store import ChunkStore, SearchFilter
from assistant.store.derived import DerivedFiles, digest
from assistant.text.analysis import in_word_terms

log = logging.getLogger(__name__)
T = TypeVar("T")

REF_BOOST = 1.0  # shown in the score of chunks whose ref the question names (they lead)
# A scoped dense query asks the store for this many times the results its share of the index
# would give, and filters them here (see ``HybridRetriever._dense``), up to MAX_DENSE_FETCH.
DENSE_OVERFETCH = 4.0
MAX_DENSE_FETCH = 2000
NAMED_DOCUMENT_BONUS = 0.15  # share of the top score given to chunks of a named procedure


class Mode(StrEnum):
    hybrid = "hybrid"
    dense = "dense"
    lexical = "lexical"


@dataclass
class _Candidate:
    chunk: Chunk | None = None
    fused: float = 0.0
    similarity: float | None = None
    lexical_score: float = 0.0
    ref_match: bool = False
    names_document: bool = False


class ByIdCache(Generic[T]):
    """Values read from the store by id, the most recently used ``size`` kept."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._values: OrderedDict[str, T] = OrderedDict()

    def clear(self) -> None:
        self._values.clear()

    def kept(self, ids: Sequence[str]) -> list[str]:
        return [i for i in ids if i in self._values]

    def get_many(
        self, ids: Sequence[str], read: Callable[[Sequence[str]], dict[str, T]]
    ) -> dict[str, T]:
        """``read``: the store's lookup, asked only for the ids not kept (it leaves out the
        ones that no longer exist, and so does the answer)."""
        found = {i: self._values[i] for i in ids if i in self._values}
        for chunk_id in found:
            self._values.move_to_end(chunk_id)
        missing = [i for i in ids if i not in found]
        if missing:
            fresh = read(missing)
            found.update(fresh)
            if self.size:
                self._values.update(fresh)
                while len(self._values) > self.size:
                    self._values.popitem(last=False)
        return found


class ReadCache:
    """Chunks and vectors lately read from the store, by id: the same passages come back
    question after question, and reading the 30 candidates' texts and the BM25-only ones'
    vectors cost Chroma about 7 of a query's 15 ms beyond its embedding. A chunk id carries its
    document's content hash, so what an id names never changes; whether it still exists does.
    So a kept vector is served only after an ids-only look at the store (a stale BM25 index
    may offer a chunk another process deleted), and a kept text only for a candidate the store
    has just named (by the dense query, that look, or a ref lookup). Emptied on every write
    seen, so it does not hold what is gone."""

    def __init__(self, store: ChunkStore, size: int) -> None:
        self.store = store
        self.size = size
        self._chunks: ByIdCache[Chunk] = ByIdCache(size)
        self._vectors: ByIdCache[np.ndarray] = ByIdCache(size)
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._chunks.clear()
            self._vectors.clear()

    def chunks(self, ids: Sequence[str]) -> dict[str, Chunk]:
        """``ids``: ones the store has just named in this query."""
        with self._lock:
            return self._chunks.get_many(ids, self.store.chunks_by_id)

    def vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """The vectors of the ids that still exist (a deleted one is left out)."""
        with self._lock:
            kept = self._vectors.kept(ids)
        alive = self.store.existing_ids(kept) if kept else set()
        with self._lock:
            return self._vectors.get_many(
                [i for i in ids if i not in kept or i in alive], self.store.vectors_by_id
            )


class LexicalCache:
    """The BM25 index, rebuilt when this or another process writes to the store (its write
    generation changes) and kept in the data dir under that generation: a new process, or a
    second one on the same Chroma server, loads it instead of reading every chunk again."""

    def __init__(
        self,
        store: ChunkStore,
        refresh_seconds: float,
        derived: DerivedFiles | None = None,
        reads: ReadCache | None = None,
    ) -> None:
        """``reads``: emptied with this index, whenever the store changes."""
        self.store = store
        self.refresh_seconds = refresh_seconds
        self.derived = derived
        self.reads = reads
        self._index: BM25Index | None = None
        self._generation: str | None = None
        self._checked_at = 0.0
        self._lock = threading.Lock()

    def invalidate(self) -> None:
        with self._lock:
            self._index = None
            if self.reads is not None:
                self.reads.clear()

    def get(self) -> BM25Index:
        now = time.monotonic()
        with self._lock:
            if self._index is not None and now - self._checked_at < self.refresh_seconds:
                return self._index
            generation = self.store.generation()
            self._checked_at = now
            if self._index is None or generation != self._generation:
                if self.reads is not None:
                    self.reads.clear()
                self._index = self._load_or_build(generation)
                self._generation = generation
            return self._index

    def _load_or_build(self, generation: str) -> BM25Index:
        if self.derived is None or not generation:  # a store never written to is empty
            return self._build()
        key = digest(BM25Index.FORMAT, generation)
        arrays = self.derived.load("bm25", key)
        if arrays is not None:
            try:
                return BM25Index.from_arrays(arrays)
            except (KeyError, ValueError) as exc:  # written by another version
                log.warning("rebuilding the BM25 index: %s", exc)
        index = self._build()
        self.derived.save("bm25", key, index.to_arrays())
        return index

    def _build(self) -> BM25Index:
        """From the committed chunks only (the records are read first: a version committed
        meanwhile changes the generation, so the next check rebuilds)."""
        committed = self.store.committed_versions()
        ids: list[str] = []
        texts: list[str] = []
        metas: list[dict[str, Any]] = []
        for page_ids, page_texts, page_metas in self.store.iter_chunk_pages():
            for chunk_id, text, meta in zip(page_ids, page_texts, page_metas, strict=True):
                if chunk_version(chunk_id) in committed:
                    ids.append(chunk_id)
                    metas.append(meta)
                    texts.append(f"{meta.get('title', '')} {meta.get('section', '')} {text}")
        return BM25Index.build(ids, texts, metas)


class HybridRetriever:
    def __init__(
        self, store: ChunkStore, settings: Settings, derived: DerivedFiles | None = None
    ) -> None:
        self.store = store
        self.settings = settings
        self.reads = ReadCache(store, settings.read_cache_size)
        self.lexical = LexicalCache(store, settings.lexical_refresh_seconds, derived, self.reads)
        self.reranker = (
            Reranker.load(settings.distinct_top, settings.restatement_overlap)
            if settings.rerank_pool
            else None
        )

    def embed(self, *questions: str) -> np.ndarray:
        """Query vectors as ``search`` makes them (glossary-expanded); one row per question."""
        return self.store.encoder.embed_queries([expand_query(q) for q in questions])

    def search(
        self,
        question: str,
        k: int = 5,
        filters: SearchFilter | None = None,
        mode: Mode = Mode.hybrid,
        query_vector: np.ndarray | None = None,
    ) -> list[Hit]:
        """``query_vector``: the question's embedding when the caller made it already (a batch
        of many questions encodes faster than one at a time)."""
        reranker = self.reranker if mode is Mode.hybrid else None
        n = max(k, self.settings.rerank_pool) if reranker else k
        expanded = expand_query(question)
        ranked = self._first_stage(
            question, expanded, filters or SearchFilter(), mode, query_vector, n
        )
        pool = self._pool(ranked, n)
        if reranker is None:
            return [_hit(c) for c in pool]
        ordered = reranker.rerank(expanded, pool, self.term_weights(expanded))
        return [_hit(c, reranked=True) for c in ordered[:k]]

    def candidates(
        self, question: str, n: int, filters: SearchFilter | None = None
    ) -> list[Candidate]:
        """The hybrid's first ``n``, as the second stage sees them (to fit it)."""
        expanded = expand_query(question)
        ranked = self._first_stage(question, expanded, filters or SearchFilter(), Mode.hybrid)
        return self._pool(ranked, n)

    def term_weights(self, expanded: str) -> dict[str, float]:
        """IDF of the question's in-word terms (「拿到的生产」: 拿到, 生产; not the 的生 across)."""
        return self.lexical.get().term_weights(in_word_terms(expanded))

    def _first_stage(
        self,
        question: str,
        expanded: str,
        filters: SearchFilter,
        mode: Mode,
        query_vector: np.ndarray | None = None,
        k: int = 0,
    ) -> list[tuple[str, _Candidate]]:
        """Every candidate of the retrievers, fused, named refs first."""
        n = max(self.settings.candidates, k)
        if query_vector is None:
            query_vector = self.embed(question)[0]
        candidates: dict[str, _Candidate] = {}

        lexical = self.lexical.get()  # also notices writes, so no stale read is served
        if mode in (Mode.hybrid, Mode.dense):
            for rank, (chunk_id, similarity) in enumerate(
                self._dense(query_vector, n, filters, lexical)
            ):
                cand = candidates.setdefault(chunk_id, _Candidate())
                cand.similarity = similarity
                cand.fused += self.settings.dense_weight / (self.settings.rrf_k + rank + 1)

        if mode in (Mode.hybrid, Mode.lexical):
            for rank, lexical_hit in enumerate(lexical.search(expanded, n, filters.conditions())):
                cand = candidates.setdefault(lexical_hit.chunk_id, _Candidate())
                cand.lexical_score = lexical_hit.score
                cand.fused += self.settings.lexical_weight / (self.settings.rrf_k + rank + 1)

        refs = find_refs(question)
        if refs:
            self._add_ref_matches(refs, filters, candidates, lexical)

        self._fill_missing(candidates, query_vector)
        if mode is Mode.hybrid and self.settings.fusion == "convex":
            self._convex_fusion(candidates)
        top_score = max((c.fused for c in candidates.values()), default=0.0)
        for cand in candidates.values():
            if cand.names_document:
                cand.fused += NAMED_DOCUMENT_BONUS * top_score
        return sorted(
            candidates.items(), key=lambda item: self._rank_key(item[1], question), reverse=True
        )

    def _dense(
        self, query_vector: np.ndarray, n: int, filters: SearchFilter, lexical: BM25Index
    ) -> list[tuple[str, float]]:
        """The ``n`` committed chunks in scope closest to the query. Chroma filters by metadata
        slowly at scale (at 100k chunks 120–480 ms a query, whatever the scope's size, against
        5–23 ms for 30–1000 nearest unfiltered), so a scope is applied here: the store is asked
        for the nearest ``n / share × DENSE_OVERFETCH`` of the whole index, and the chunks the
        lexical index places in scope are kept. If at least ``n`` of them (or the whole scope)
        came back, they are exactly the scope's nearest; otherwise the store filters."""
        scope = lexical.mask(filters.conditions())
        if scope is not None:
            in_scope = int(scope.sum())
            if not in_scope:  # nothing committed in scope (the dense side holds no more)
                return []
            fetch = math.ceil(n * len(lexical) / in_scope * DENSE_OVERFETCH)
            if fetch <= MAX_DENSE_FETCH:
                kept = [
                    (cid, sim)
                    for cid, sim in self.store.dense_query(query_vector, fetch)
                    if (row := lexical.row(cid)) is not None and scope[row]
                ]
                if len(kept) >= min(n, in_scope):
                    return kept[:n]
        # unscoped (``where`` is None), or a scope the over-fetch could not fill: the store
        dense = self.store.dense_query(query_vector, n, filters.where())
        return [(cid, sim) for cid, sim in dense if lexical.shows(cid)]

    def _pool(self, ranked: list[tuple[str, _Candidate]], k: int) -> list[Candidate]:
        return [
            Candidate(c.chunk, c.fused, c.similarity or 0.0, c.ref_match)
            for c in self._with_chunks(ranked, k)
            if c.chunk is not None
        ]

    def _with_chunks(self, ranked: list[tuple[str, _Candidate]], k: int) -> list[_Candidate]:
        """The first ``k`` candidates that still exist, with their text and metadata, read
        for those alone (a chunk deleted since the query is skipped for the next one)."""
        shown: list[_Candidate] = []
        start = 0
        while len(shown) < k and start < len(ranked):
            batch = ranked[start : start + k - len(shown)]
            start += len(batch)
            found = self.reads.chunks([cid for cid, c in batch if c.chunk is None])
            for chunk_id, cand in batch:
                cand.chunk = cand.chunk or found.get(chunk_id)
                if cand.chunk is not None:
                    shown.append(cand)
        return shown

    def _add_ref_matches(
        self,
        refs: QueryRefs,
        filters: SearchFilter,
        candidates: dict[str, _Candidate],
        lexical: BM25Index,
    ) -> None:
        conditions: list[dict[str, Any]] = []
        if refs.articles:
            conditions.append({"article": {"$in": list(refs.articles)}})
        if refs.clauses:
            conditions.append(
                {"$and": [{"clause": {"$in": list(refs.clauses)}}, {"kind": "standard"}]}
            )
        codes = sorted({code for code, _ in refs.procedures})
        if codes:
            conditions.append({"code": {"$in": codes}})
        extra = conditions[0] if len(conditions) == 1 else {"$or": conditions}
        chunks, _ = self.store.get_chunks(where=filters.where(extra), limit=200)
        wanted_sections = {code: section for code, section in refs.procedures if section}
        for chunk in filter(lambda c: lexical.shows(c.chunk_id), chunks):
            section = wanted_sections.get(chunk.code)
            if section and not (chunk.clause == section or chunk.clause.startswith(section + ".")):
                continue
            cand = candidates.setdefault(chunk.chunk_id, _Candidate())
            cand.chunk = cand.chunk or chunk
            if chunk.code in codes and not section:
                cand.names_document = True  # a whole procedure named: ranked by content
            else:
                cand.ref_match = True

    def _fill_missing(self, candidates: dict[str, _Candidate], query_vector: np.ndarray) -> None:
        """Lexical-only and ref-only candidates need their cosine similarity; one whose
        vector is gone was deleted since BM25 was built, and is dropped."""
        missing = [cid for cid, c in candidates.items() if c.similarity is None]
        if not missing:
            return
        vectors = self.reads.vectors(missing)
        for chunk_id in missing:
            vector = vectors.get(chunk_id)
            if vector is None:
                del candidates[chunk_id]
            else:
                candidates[chunk_id].similarity = float(vector @ query_vector)

    def _convex_fusion(self, candidates: dict[str, _Candidate]) -> None:
        """Min-max normalised cosine and BM25, mixed by their weights."""
        values = list(candidates.values())
        if not values:
            return
        sims = np.array([c.similarity or 0.0 for c in values])
        lex = np.array([c.lexical_score for c in values])
        sims = (sims - sims.min()) / max(float(sims.max() - sims.min()), 1e-9)
        lex = lex / max(float(lex.max()), 1e-9)
        dw, lw = self.settings.dense_weight, self.settings.lexical_weight
        for cand, s_norm, l_norm in zip(values, sims, lex, strict=True):
            cand.fused = float(dw * s_norm + lw * l_norm) / (dw + lw)

    @staticmethod
    def _rank_key(cand: _Candidate, question: str) -> tuple[float, float, float]:
        if not cand.ref_match or cand.chunk is None:
            return (0.0, cand.fused, cand.similarity or 0.0)
        # Several documents may share 第十九条: prefer the one whose title the question names.
        # People drop the 中华人民共和国 prefix when they name a law.
        title_tokens = set(tokenize(cand.chunk.title.removeprefix("中华人民共和国")))
        overlap = len(title_tokens & set(tokenize(question))) / max(len(title_tokens), 1)
        return (REF_BOOST, round(overlap, 2), cand.fused + 0.01 * (cand.similarity or 0.0))


def _hit(cand: Candidate, reranked: bool = False) -> Hit:
    chunk = cand.chunk
    return Hit(
        doc_id=chunk.doc_id,
        title=chunk.title,
        kind=chunk.kind,
        org=chunk.org,
        ref=chunk.ref,
        text=chunk.text,
        score=round(
            (cand.probability if reranked else cand.fused) + (REF_BOOST if cand.ref_named else 0),
            6,
        ),
        similarity=round(cand.similarity, 6),
        source=chunk.source,
        section=chunk.section,
        chunk_id=chunk.chunk_id,
    )
