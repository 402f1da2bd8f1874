"""/v1/ask latency at 1, 4 and 8 concurrent clients, next to /v1/search (retrieval alone)
in the same run, against a real API process on 127.0.0.1. Bounded: a fixed number of
requests per level. Target: answer overhead over retrieval <= 30% (default generator).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from assistant.settings import get_settings
from benchmarks.common import save, summary_ms
from evals.retrieval import load_questions
from tests.server import api_server

TARGET_OVERHEAD = 0.30


def _load(url: str, path: str, questions: list[str], clients: int) -> tuple[list[float], int]:
    def one(question: str) -> tuple[float, bool]:
        start = time.perf_counter()
        try:
            ok = httpx.post(f"{url}{path}", json={"question": question}, timeout=120).is_success
        except httpx.HTTPError:
            ok = False
        return time.perf_counter() - start, ok

    with ThreadPoolExecutor(max_workers=clients) as pool:
        results = list(pool.map(one, questions))
    return [t for t, _ in results], sum(1 for _, ok in results if not ok)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=48, help="per endpoint and level")
    args = parser.parse_args(argv)
    questions = [q.question for q in load_questions()]
    questions = (questions * (args.requests // len(questions) + 1))[: args.requests]
    results: dict[str, dict[str, object]] = {}
    corpus = get_settings().corpus_dir
    uploads = sorted(p for p in corpus.rglob("*.md") if p.name != "README.md")
    with tempfile.TemporaryDirectory() as tmp, api_server(Path(tmp), uploads) as url:
        _load(url, "/v1/ask", questions[:8], 2)  # warm-up
        for clients in (1, 4, 8):
            search_times, search_errors = _load(url, "/v1/search", questions, clients)
            ask_times, ask_errors = _load(url, "/v1/ask", questions, clients)
            search, ask = summary_ms(search_times), summary_ms(ask_times)
            overhead = ask["p50_ms"] / search["p50_ms"] - 1
            results[str(clients)] = {
                "search": search,
                "ask": ask,
                "overhead_p50": round(overhead, 3),
                "errors": search_errors + ask_errors,
            }
            verdict = "OK" if overhead <= TARGET_OVERHEAD else "ABOVE TARGET"
            print(
                f"{clients} clients: /v1/search p50 {search['p50_ms']:.0f} ms "
                f"p95 {search['p95_ms']:.0f} ms | /v1/ask p50 {ask['p50_ms']:.0f} ms "
                f"p95 {ask['p95_ms']:.0f} ms | overhead {overhead:+.0%} "
                f"(target <= {TARGET_OVERHEAD:.0%}: {verdict}) | errors "
                f"{search_errors + ask_errors}",
                flush=True,
            )
    print(f"saved {save('api_load', results)}")
    return 0 if all(r["errors"] == 0 for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
