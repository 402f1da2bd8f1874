"""Synthetic 10k and 100k chunk indexes: build time, warm query p50, RSS.

Chunks are recombined from the real corpus (text: sentences of two real chunks; vector: a
normalised mix of their real vectors plus noise), so the store and BM25 see realistic
Chinese text and vector geometry without hours of encoding. Target: warm hybrid query p50
<= 2x the query-embedding time at 100k chunks.
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from assistant.embedding.encoder import get_encoder
from assistant.ingest.chunking import Chunker
from assistant.ingest.convert import load_document
from assistant.ingest.pipeline import expand_paths
from assistant.knowledge import KnowledgeBase
from assistant.retrieval import hybrid
from assistant.schema import Chunk, DocumentRecord, Kind, version_id
from assistant.settings import get_settings
from assistant.store.chroma_store import ChunkStore, SearchFilter, chunk_metadata, now_iso
from benchmarks.common import rss_mb, save, summary_ms
from evals.retrieval import load_questions

TARGET_RATIO = 2.0
BATCH = 2000
CHUNKS_PER_DOC = 25
SYNTHETIC = "synthetic"  # every synthetic document's content hash
# how the API searches for a staff user: their org and public (here 2 of the 20 orgs)
STAFF_SCOPE = SearchFilter(orgs=["org3", "org7"])


def synthetic_chunks(
    base: list[Chunk], vectors: np.ndarray, n: int, seed: int = 7
) -> tuple[list[Chunk], np.ndarray]:
    rng = np.random.default_rng(seed)
    sentences = [re.split(r"(?<=[。；])", c.text) for c in base]
    first = rng.integers(0, len(base), n)
    second = rng.integers(0, len(base), n)
    mixed = 0.75 * vectors[first] + 0.25 * vectors[second]
    mixed += rng.normal(0, 0.02, mixed.shape).astype(np.float32)
    mixed /= np.linalg.norm(mixed, axis=1, keepdims=True)
    kinds = list(Kind)
    chunks = []
    for i in range(n):
        a, b = sentences[first[i]], sentences[second[i]]
        text = "".join(a) + "".join(b[: max(1, len(b) // 2)])
        doc = i // CHUNKS_PER_DOC
        doc_id = f"syn-{doc}"
        chunks.append(
            Chunk(
                chunk_id=f"{version_id(doc_id, SYNTHETIC)}::{i:07d}", doc_id=doc_id,
                title=f"合成文档{doc}",
                kind=kinds[doc % len(kinds)], org=f"org{doc % 20}", ref=f"§{i % CHUNKS_PER_DOC}",
                section=base[first[i]].section, text=text, content_hash=SYNTHETIC,
                position=i % CHUNKS_PER_DOC, clause=str(i % CHUNKS_PER_DOC),
            )
        )  # fmt: skip
    return chunks, mixed.astype(np.float32)


@contextmanager
def store_filter() -> Iterator[None]:
    """Searches as before the scope was applied here: Chroma's metadata filter does it."""
    fetch_limit = hybrid.MAX_DENSE_FETCH
    hybrid.MAX_DENSE_FETCH = 0
    try:
        yield
    finally:
        hybrid.MAX_DENSE_FETCH = fetch_limit


def add_records(store: ChunkStore, chunks: list[Chunk], vectors: np.ndarray) -> None:
    """One record per synthetic document (its vector: its chunks' mean), which commits its
    chunks: a chunk no record names is never searched."""
    starts = range(0, len(chunks), CHUNKS_PER_DOC)
    records = [
        DocumentRecord(
            doc_id=chunks[i].doc_id, title=chunks[i].title, kind=chunks[i].kind,
            org=chunks[i].org, content_hash=SYNTHETIC,
            chunk_count=len(chunks[i : i + CHUNKS_PER_DOC]), ingested_at=now_iso(),
        )
        for i in starts
    ]  # fmt: skip
    means = np.stack([vectors[i : i + CHUNKS_PER_DOC].mean(axis=0) for i in starts])
    for i in range(0, len(records), BATCH):
        batch = records[i : i + BATCH]
        store.documents.add(
            ids=[r.doc_id for r in batch], embeddings=means[i : i + BATCH],
            documents=[r.title for r in batch],
            metadatas=[ChunkStore.document_metadata(r) for r in batch],
        )  # fmt: skip


def run_size(n: int, base: list[Chunk], vectors: np.ndarray, questions: list[str]) -> dict:
    encoder = get_encoder()
    with tempfile.TemporaryDirectory() as tmp:
        kb = KnowledgeBase(get_settings().model_copy(update={"data_dir": Path(tmp)}), encoder)
        chunks, mixed = synthetic_chunks(base, vectors, n)
        rss_before = rss_mb()
        start = time.perf_counter()
        for i in range(0, n, BATCH):
            batch = chunks[i : i + BATCH]
            kb.store.chunks.add(
                ids=[c.chunk_id for c in batch], embeddings=mixed[i : i + BATCH],
                documents=[c.text for c in batch],
                metadatas=[chunk_metadata(c) for c in batch],  # type: ignore[misc]
            )  # fmt: skip
        add_records(kb.store, chunks, mixed)
        store_s = time.perf_counter() - start
        kb.store.bump_generation()
        start = time.perf_counter()
        kb.retriever.lexical.get()
        bm25_s = time.perf_counter() - start
        del chunks, mixed
        for q in questions[:5]:
            kb.search(q)
        embed_times, search_times, scoped_times, store_filtered_times = [], [], [], []
        for q in questions:
            t0 = time.perf_counter()
            encoder.embed_queries([q])
            embed_times.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            kb.search(q, k=5)
            search_times.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            kb.search(q, k=5, filters=STAFF_SCOPE)
            scoped_times.append(time.perf_counter() - t0)
            with store_filter():  # the baseline: Chroma applies the scope
                t0 = time.perf_counter()
                kb.search(q, k=5, filters=STAFF_SCOPE)
                store_filtered_times.append(time.perf_counter() - t0)
        embed, search = summary_ms(embed_times), summary_ms(search_times)
        scoped, store_filtered = summary_ms(scoped_times), summary_ms(store_filtered_times)
        return {
            "chunks": n,
            "store_build_s": round(store_s, 1),
            "bm25_build_s": round(bm25_s, 1),
            "query_embedding": embed,
            "hybrid_search": search,
            "p50_ratio": round(search["p50_ms"] / embed["p50_ms"], 3),
            "scoped_search": scoped,
            "scoped_p50_ratio": round(scoped["p50_ms"] / embed["p50_ms"], 3),
            "scoped_by_store_filter": store_filtered,
            "rss_mb": round(rss_mb(), 0),
            "rss_growth_mb": round(rss_mb() - rss_before, 0),
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000,100000")
    args = parser.parse_args()
    settings = get_settings()
    encoder = get_encoder(settings)
    chunker = Chunker(settings.chunk_max_chars, settings.chunk_overlap_chars)
    base = [c for p in expand_paths([settings.corpus_dir]) for c in chunker.chunk(load_document(p))]
    vectors = encoder.embed_passages([c.embedding_text() for c in base])
    questions = [q.question for q in load_questions()]
    results = {}
    for size in (int(s) for s in args.sizes.split(",")):
        r = run_size(size, base, vectors, questions)
        results[str(size)] = r
        ok = "OK" if r["p50_ratio"] <= TARGET_RATIO else "ABOVE TARGET"
        search, embed = r["hybrid_search"], r["query_embedding"]
        print(
            f"{size:>7} chunks: store build {r['store_build_s']}s, "
            f"BM25 build {r['bm25_build_s']}s, query p50 {search['p50_ms']:.1f} ms / "
            f"p95 {search['p95_ms']:.1f} ms vs embedding p50 {embed['p50_ms']:.1f} ms = "
            f"{r['p50_ratio']:.2f}x (target <= {TARGET_RATIO}x: {ok}); scoped to two orgs "
            f"p50 {r['scoped_search']['p50_ms']:.1f} ms = {r['scoped_p50_ratio']:.2f}x (Chroma "
            f"filtering: {r['scoped_by_store_filter']['p50_ms']:.1f} ms); "
            f"RSS {r['rss_mb']:.0f} MiB"
        )
    print(f"saved {save('scale', results)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
