"""Warm query latency (hybrid search) vs query-embedding time alone, on the real corpus index.

The embedding of the question is the floor; everything else (Chroma query, BM25, fusion,
ref lookup, the second-stage ranking) is overhead, reported as the ratio of the two p50s. The
first stage alone (no reranker) runs in the same loop, so the second stage's cost shows, and so
does a search with the read cache emptied first (every candidate read from Chroma again: a
process's first questions, or an index too large for the cache to hold what is asked).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from assistant.embedding.encoder import get_encoder
from assistant.knowledge import KnowledgeBase
from assistant.retrieval.hybrid import ReadCache
from assistant.settings import get_settings
from benchmarks.common import save, summary_ms
from evals.retrieval import load_questions

ROUNDS = 3


def measure(kb: KnowledgeBase, questions: list[str]) -> dict[str, dict[str, float]]:
    """Same questions, interleaved, so every series sees the same machine state."""
    reranker, reads = kb.retriever.reranker, kb.retriever.reads
    series = {
        "search": (reranker, False),
        "first_stage": (None, False),
        "search_unread": (reranker, True),  # every candidate read from the store again
    }
    times: dict[str, list[float]] = {"embedding": [], **{name: [] for name in series}}
    for _ in range(ROUNDS):
        for question in questions:
            start = time.perf_counter()
            kb.encoder.embed_queries([question])
            times["embedding"].append(time.perf_counter() - start)
            for name, (second_stage, unread) in series.items():
                kb.retriever.reranker = second_stage
                # an empty cache of its own, so the other series keep theirs
                kb.retriever.reads = ReadCache(kb.store, reads.size) if unread else reads
                start = time.perf_counter()
                kb.search(question, k=5)
                times[name].append(time.perf_counter() - start)
    kb.retriever.reranker, kb.retriever.reads = reranker, reads
    return {series: summary_ms(values) for series, values in times.items()}


def main() -> int:
    settings = get_settings()
    questions = [q.question for q in load_questions()]
    with tempfile.TemporaryDirectory() as tmp:
        kb = KnowledgeBase(settings.model_copy(update={"data_dir": Path(tmp)}), get_encoder())
        kb.ingest([settings.corpus_dir], progress=False)
        for question in questions[:10]:  # warm-up: model, HNSW, BM25 build
            kb.search(question)
        measured = measure(kb, questions)
        chunks = kb.store.count()
    embed, search, first = measured["embedding"], measured["search"], measured["first_stage"]
    unread = measured["search_unread"]
    ratio = search["p50_ms"] / embed["p50_ms"]
    result = {"chunks": chunks, "query_embedding": embed, "hybrid_search": search,
              "first_stage_only": first, "search_read_cache_emptied": unread,
              "p50_ratio": round(ratio, 3)}  # fmt: skip
    print(f"index: {chunks} chunks, {len(questions)} questions x {ROUNDS}")
    print(f"query embedding alone: p50 {embed['p50_ms']:.1f} ms  p95 {embed['p95_ms']:.1f} ms")
    print(f"hybrid search (warm) : p50 {search['p50_ms']:.1f} ms  p95 {search['p95_ms']:.1f} ms")
    print(f"first stage alone    : p50 {first['p50_ms']:.1f} ms  p95 {first['p95_ms']:.1f} ms")
    print(f"read cache emptied   : p50 {unread['p50_ms']:.1f} ms  p95 {unread['p95_ms']:.1f} ms"
          f"  ({unread['p50_ms'] / embed['p50_ms']:.2f}x)")  # fmt: skip
    print(f"ratio p50            : {ratio:.2f}x the embedding time")
    print(f"saved {save('query_latency', result)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
