"""Soak: 8 clients for 5 minutes (bounded) against two API processes sharing one Chroma
server and one PostgreSQL database, mixing ask, chat (SSE), search, upload + delete and
quiz generation. Reports requests, errors (target 0), p50/p95 per route — the first fifth of
the run beside the last, the baseline of the same run — each process's RSS growth after the
warm-up (target < 10%), and whether both are still ready afterwards.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

import httpx

from assistant.settings import get_settings
from benchmarks.common import rss_mb, save, summary_ms
from evals.retrieval import load_questions
from tests.server import deployment

TARGET_RSS_GROWTH = 0.10
# route: share of the requests (the mix a busy day of staff, trainers and consultants makes)
MIX = {"ask": 0.35, "search": 0.25, "chat": 0.15, "upload+delete": 0.1, "quiz": 0.15}
UPLOADED = (
    "---\nid: {doc_id}\ntitle: 临时作业指导书{n}\nkind: procedure\norg: soakco\n---\n\n"
    "# 临时作业指导书{n}\n\n## 1 要求\n\n第{n}号工位每班开工前点检一次，记录保存{n}个月。\n"
)


class Recorder:
    def __init__(self, start: float, seconds: float) -> None:
        self.start, self.seconds = start, seconds
        self.times: dict[str, list[tuple[float, float]]] = defaultdict(list)
        self.errors: dict[str, list[str]] = defaultdict(list)
        self.lock = threading.Lock()

    def timed(self, route: str, call: Callable[[], httpx.Response]) -> None:
        begun = time.perf_counter()
        try:
            response = call()
            failure = None if response.is_success else f"{response.status_code} {response.text}"
        except httpx.HTTPError as exc:
            failure = f"{type(exc).__name__}: {exc}"
        took = time.perf_counter() - begun
        with self.lock:
            self.times[route].append((begun - self.start, took))
            if failure:
                self.errors[route].append(failure[:200])

    def summary(self, route: str, part: slice | None = None) -> dict[str, float]:
        fifth = self.seconds / 5
        rows = self.times[route]
        if part == slice(0, 1):
            rows = [r for r in rows if r[0] < fifth]
        elif part == slice(4, 5):
            rows = [r for r in rows if r[0] >= 4 * fifth]
        return summary_ms([took for _, took in rows])


def _client_loop(
    number: int, clients: list[httpx.Client], questions: list[str], deadline: float,
    recorder: Recorder,
) -> None:  # fmt: skip
    rng = random.Random(number)
    routes, weights = list(MIX), list(MIX.values())
    turn = 0
    while time.monotonic() < deadline:
        # each client alternates between the processes; an upload is deleted through the other
        pair = (clients[turn % len(clients)], clients[(turn + 1) % len(clients)])
        route = rng.choices(routes, weights)[0]
        request = partial(_request, route, pair, rng.choice(questions), f"SOAK-{number}-{turn}")
        recorder.timed(route, request)
        turn += 1


def _request(
    route: str, pair: tuple[httpx.Client, httpx.Client], question: str, doc_id: str
) -> httpx.Response:
    client, other = pair
    if route in ("ask", "search"):
        return client.post(f"/v1/{route}", json={"question": question})
    if route == "chat":
        return _chat(client, question)
    if route == "quiz":
        seed = sum(map(ord, doc_id))
        body = {"sources": {"kinds": ["procedure"]}, "n": 5, "seed": seed, "llm": False}
        return client.post("/v1/quizzes", json=body)
    text = UPLOADED.format(doc_id=doc_id, n=len(doc_id) % 50 + 1).encode()
    uploaded = client.post(
        "/v1/documents", files={"file": (f"{doc_id}.md", text)}, data={"org": "soakco"}
    )
    return other.delete(f"/v1/documents/{doc_id}") if uploaded.is_success else uploaded


def _chat(client: httpx.Client, question: str) -> httpx.Response:
    with client.stream("POST", "/v1/chat", json={"question": question}) as response:
        events = [line for line in response.iter_lines() if line.startswith("event:")]
    if response.is_success and (not events or events[-1] != "event: done"):
        raise httpx.HTTPError(f"stream ended without done: {events[-3:]}")
    return response


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=300.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--warmup", type=float, default=30.0, help="seconds before RSS baseline")
    args = parser.parse_args(argv)
    questions = [q.question for q in load_questions()]
    corpus = get_settings().corpus_dir
    uploads = sorted(
        p for folder in ("procedures/huarui", "guides", "standards")
        for p in (corpus / folder).glob("*.md") if p.name != "README.md"
    )  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp, deployment(Path(tmp)) as running_now:
        headers = {"Authorization": f"Bearer {running_now.admin_key}"}
        clients = [httpx.Client(base_url=u, headers=headers, timeout=300) for u in running_now.urls]
        for path in uploads:  # the sources the questions ask about
            upload = {"file": (path.name, path.read_bytes())}
            response = clients[0].post("/v1/documents", files=upload)
            if response.status_code != 201:
                raise RuntimeError(f"upload of {path} failed: {response.text}")
        clients[1].post("/v1/documents", files={"file": ("warm.md", UPLOADED.format(
            doc_id="WARM", n=1).encode())}, data={"org": "soakco"})  # fmt: skip
        pids = [p.pid for p in running_now.processes]
        start = time.monotonic()
        recorder = Recorder(time.perf_counter(), args.seconds)
        deadline = start + args.seconds
        rss_start: list[float] = []

        def baseline() -> None:
            time.sleep(min(args.warmup, args.seconds / 2))
            rss_start.extend(rss_mb(pid) for pid in pids)

        with ThreadPoolExecutor(args.clients + 1) as pool:
            pool.submit(baseline)
            for number in range(args.clients):
                pool.submit(_client_loop, number, clients, questions, deadline, recorder)
        rss_end = [rss_mb(pid) for pid in pids]
        ready = [c.get("/ready").status_code for c in clients]
        for client in clients:
            client.close()

    requests = sum(len(v) for v in recorder.times.values())
    errors = sum(len(v) for v in recorder.errors.values())
    growth = [end / begin - 1 for begin, end in zip(rss_start, rss_end, strict=True)]
    routes: dict[str, dict[str, Any]] = {
        route: {
            "all": recorder.summary(route),
            "first_fifth": recorder.summary(route, slice(0, 1)),
            "last_fifth": recorder.summary(route, slice(4, 5)),
            "errors": len(recorder.errors[route]),
            "error_samples": recorder.errors[route][:3],
        }
        for route in MIX
    }
    print(f"{args.clients} clients, {args.seconds:.0f} s, 2 API processes + Chroma server + "
          f"PostgreSQL: {requests} requests, {errors} errors (target 0)")  # fmt: skip
    for route, figures in routes.items():
        first, last, whole = figures["first_fifth"], figures["last_fifth"], figures["all"]
        print(f"  {route:14} n={whole['n']:4.0f}  p50 {whole['p50_ms']:6.0f} ms  "
              f"p95 {whole['p95_ms']:6.0f} ms | first fifth p50 {first['p50_ms']:6.0f} ms, "
              f"last fifth p50 {last['p50_ms']:6.0f} ms | errors {figures['errors']}")  # fmt: skip
    for n, (begin, end, rise) in enumerate(zip(rss_start, rss_end, growth, strict=True)):
        verdict = "OK" if rise < TARGET_RSS_GROWTH else "ABOVE TARGET"
        print(f"  process {n}: RSS {begin:.0f} -> {end:.0f} MiB ({rise:+.1%}; target < "
              f"{TARGET_RSS_GROWTH:.0%}: {verdict})")  # fmt: skip
    print(f"  /ready afterwards: {ready}")
    result = {
        "seconds": args.seconds, "clients": args.clients, "requests": requests,
        "errors": errors, "routes": routes, "rss_start_mb": rss_start, "rss_end_mb": rss_end,
        "rss_growth": growth, "ready_after": ready,
    }  # fmt: skip
    print(f"saved {save('soak', result)}")
    healthy = errors == 0 and all(r == 200 for r in ready)
    return 0 if healthy and all(g < TARGET_RSS_GROWTH for g in growth) else 1


if __name__ == "__main__":
    sys.exit(main())
