"""Local LLM speed of the portable llama.cpp build, next to another build in the same run.

The portable build (AVX2 baseline, ``make llm``) is what we ship; the baseline is a build
made for this machine's own CPU, which is what a plain source install gives. Each build
runs in its own processes (a process can load only one libllama), alternating, on the same
prompt, and reports the medians of prompt reading and generation in tokens per second.

    python -m benchmarks.llm_build [--baseline-site DIR]

``DIR`` holds another llama_cpp install, e.g. made with
``pip wheel --no-binary llama_cpp_python llama_cpp_python==0.3.36`` and
``pip install --no-deps --target DIR <wheel>``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

from assistant.llm.local_model import gguf_path, is_ready
from benchmarks.common import save

ROUNDS = 3  # completions per process
PROCESSES = 3  # processes per build, alternating between builds
NEW_TOKENS = 64
PROMPT = (
    "资料：[1]《工业产品生产许可证管理条例》第二十五条：生产许可证有效期为5年。"
    "有效期届满，企业继续生产的，应当在有效期届满6个月前提出换证申请。\n"
    "问题：生产许可证到期前多久要申请换证？请详细说明理由和办理时需要注意的事项。"
)


def measure_here() -> dict[str, float]:
    """Runs inside the child process: load the model once, then time ROUNDS completions."""
    from llama_cpp import Llama

    started = time.perf_counter()
    llm = Llama(model_path=str(gguf_path()), n_ctx=2048, n_threads=2, verbose=False)
    load_s = time.perf_counter() - started
    prompt_rates, generation_rates = [], []
    for _ in range(ROUNDS):
        llm.reset()
        started = time.perf_counter()
        first = None
        count = 0
        stream = llm.create_completion(
            PROMPT, max_tokens=NEW_TOKENS, temperature=0.0, stream=True, seed=1
        )
        for _chunk in stream:
            count += 1
            if first is None:
                first = time.perf_counter()
        done = time.perf_counter()
        prompt_tokens = len(llm.tokenize(PROMPT.encode()))
        assert first is not None
        prompt_rates.append(prompt_tokens / (first - started))
        generation_rates.append((count - 1) / (done - first) if count > 1 else 0.0)
    return {
        "load_s": round(load_s, 2),
        "prompt_tokens_per_s": round(statistics.median(prompt_rates), 1),
        "generation_tokens_per_s": round(statistics.median(generation_rates), 2),
    }


def measure_build(site: str | None) -> dict[str, float]:
    env = dict(os.environ)
    if site:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [site, env.get("PYTHONPATH")]))
    output = subprocess.run(
        [sys.executable, "-m", "benchmarks.llm_build", "--child"],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    ).stdout
    return dict(json.loads(output.strip().splitlines()[-1]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--baseline-site", help="folder with another llama_cpp install")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure_here()))
        return 0
    if not is_ready(gguf_path()):
        print("local LLM not prepared: make llm")
        return 1
    sites = {"portable (AVX2 baseline)": None}
    if args.baseline_site:
        sites[f"baseline ({args.baseline_site})"] = args.baseline_site
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in sites}
    for _ in range(PROCESSES):  # alternate, so both builds see the same machine state
        for name, site in sites.items():
            runs[name].append(measure_build(site))
    builds = {
        name: {key: statistics.median(r[key] for r in results) for key in results[0]}
        for name, results in runs.items()
    }
    print(f"{'build':<40} {'load s':>7} {'prompt tok/s':>13} {'generation tok/s':>17}")
    for name, result in builds.items():
        print(
            f"{name:<40} {result['load_s']:>7.2f} {result['prompt_tokens_per_s']:>13.1f} "
            f"{result['generation_tokens_per_s']:>17.2f}"
        )
    print(f"saved {save('llm_build', builds)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
