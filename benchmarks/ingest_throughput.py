"""Ingest throughput vs the model's raw encode throughput on the same texts.

Target: full ingestion (convert, chunk, embed, write to Chroma) reaches >= 70% of the
chunks/s that encoding alone reaches.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from assistant.embedding.encoder import get_encoder
from assistant.ingest.chunking import Chunker
from assistant.ingest.convert import load_document
from assistant.ingest.pipeline import expand_paths
from assistant.knowledge import KnowledgeBase
from assistant.settings import get_settings
from benchmarks.common import save

TARGET_RATIO = 0.70


def main() -> int:
    settings = get_settings()
    corpus = settings.corpus_dir
    encoder = get_encoder(settings)
    chunker = Chunker(settings.chunk_max_chars, settings.chunk_overlap_chars)
    texts = [
        chunk.embedding_text()
        for path in expand_paths([corpus])
        for chunk in chunker.chunk(load_document(path))
    ]
    encoder.embed_passages(texts[:16])  # warm-up: first call pays one-off costs

    start = time.perf_counter()
    encoder.embed_passages(texts)
    encode_s = time.perf_counter() - start

    with tempfile.TemporaryDirectory() as tmp:
        kb = KnowledgeBase(settings.model_copy(update={"data_dir": Path(tmp)}), encoder)
        start = time.perf_counter()
        report = kb.ingest([corpus], progress=False)
        ingest_s = time.perf_counter() - start
        assert not report.failed, report.failed
        written = report.chunks_written

    raw_rate = len(texts) / encode_s
    ingest_rate = written / ingest_s
    ratio = ingest_rate / raw_rate
    result = {
        "chunks": len(texts),
        "raw_encode_chunks_per_s": round(raw_rate, 2),
        "ingest_chunks_per_s": round(ingest_rate, 2),
        "ratio": round(ratio, 3),
        "target_ratio": TARGET_RATIO,
        "meets_target": ratio >= TARGET_RATIO,
    }
    print(f"raw encode : {len(texts)} chunks in {encode_s:.1f}s = {raw_rate:.2f} chunks/s")
    print(f"ingest     : {written} chunks in {ingest_s:.1f}s = {ingest_rate:.2f} chunks/s")
    print(f"ratio      : {ratio:.1%} (target >= {TARGET_RATIO:.0%}) "
          f"{'OK' if ratio >= TARGET_RATIO else 'BELOW TARGET'}")  # fmt: skip
    print(f"saved {save('ingest_throughput', result)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
