"""The whole evaluation in one run, configurations side by side, and the CI gate.

    python -m evals.suite [--fast] [--gate] [--config hybrid dense lexical llm] [--limit N]

For each configuration (retrieval mode × generator) it measures retrieval (R@1/@5, MRR,
nDCG@5 on the golden set) and answers (key facts, citations, faithfulness, refusals,
latency) on the dev sets, plus the support scorer once; then the gate (``evals.gate``) on
the blind held-out split, asked as each item's asker (``evals.heldout``). It writes
evals/reports/<timestamp>/ with report.json, report.md (the gate, a comparison table, then
each configuration's tables and worst questions) and PNG plots. ``--fast`` is the CI subset:
the gate alone. ``certguide eval`` passes its arguments here.
"""

from __future__ import annotations

import argparse
import json
import socket
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from assistant.answer.llm import LLMGenerator
from assistant.answer.pipeline import Answerer
from assistant.conversations import ConversationStore
from assistant.db import make_engine
from assistant.knowledge import KnowledgeBase
from assistant.retrieval.hybrid import Mode
from assistant.settings import Settings, get_settings
from evals import answers, gate, heldout, retrieval, support_scorer

REPORTS = Path(__file__).resolve().parent / "reports"
LLM_SUBSET = 12  # questions per dev set for the LLM configuration
COMPARED = ("recall@5", "ndcg@5", "mrr", *answers.PLOTTED, "latency_p50_ms", "latency_p95_ms")


@dataclass(frozen=True)
class Config:
    name: str
    mode: Mode
    llm: bool = False


CONFIGS = {
    "hybrid": Config("hybrid", Mode.hybrid),
    "dense": Config("dense", Mode.dense),
    "lexical": Config("lexical", Mode.lexical),
    "llm": Config("llm", Mode.hybrid, llm=True),
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add = parser.add_argument
    add("--fast", action="store_true", help="CI subset: the gate on the held-out split alone")
    add("--config", nargs="+", choices=list(CONFIGS), default=None,
        help="configurations to compare on dev (default: all)")  # fmt: skip
    add("--limit", type=int, default=None, help="at most N dev questions per dataset")
    add("--eval-dir", type=Path, default=Path("data/eval"),
        help="where the dev eval index lives (never the user's index)")  # fmt: skip
    add("--heldout-dir", type=Path, default=Path("data/eval-heldout"),
        help="where the held-out index (every org) lives")  # fmt: skip
    add("--gate", action="store_true", help="exit 1 when the gate fails")


def score_gate(kb: KnowledgeBase) -> dict[str, Any]:
    """The gated figures on the held-out split (hybrid retrieval, extractive answers): every
    CI run scores it; only the gated figures are printed, never its questions."""
    report, _ = heldout.HeldoutRun(kb, kb.settings).run()
    found = report["retrieval"]["all"]
    values = {**report["groups"]["all"], "recall@5": found["recall@5"], "retrieved": found["n"]}
    return {
        "split": heldout.SPLIT,
        "values": values,
        "intervals": gate.intervals(values),
        "failures": gate.gate_failures(values),
        "targets_missed": gate.targets_missed(values),
        "by_category": {
            group.removeprefix("refuse="): metrics["negative_rejection"]
            for group, metrics in report["groups"].items()
            if group.startswith("refuse=")
        },
    }


def available(names: Sequence[str], settings: Settings) -> tuple[list[Config], list[str]]:
    """The configurations that can run here, and notes on the ones skipped."""
    configs, skipped = [], []
    for name in names:
        config = CONFIGS[name]
        if config.llm and not settings.llm_base_url:
            skipped.append(f"{name}: no LLM configured (CERTGUIDE_LLM_BASE_URL)")
            continue
        configs.append(config)
    return configs, skipped


@contextmanager
def local_llm(settings: Settings) -> Iterator[Settings]:
    """``settings`` pointed at the local LLM while it runs, when it is built (``make llm``)
    and no other LLM is configured; else unchanged (the llm configuration is skipped)."""
    from assistant.launch import ServerFailed, start_local_llm
    from assistant.llm.local_model import gguf_path, is_ready, server_command

    model = gguf_path(settings.models_dir)
    if settings.llm_base_url or not is_ready(model) or find_spec("llama_cpp") is None:
        yield settings
        return
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v1"
    try:
        servers = start_local_llm(server_command(model, "127.0.0.1", port), url)
    except ServerFailed as exc:
        print(f"warning: local LLM did not start ({exc}); llm configuration skipped")
        yield settings
        return
    try:
        yield settings.model_copy(update={"llm_base_url": url}) if servers else settings
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)


def run_config(kb: KnowledgeBase, config: Config, limit: int | None = None) -> dict[str, Any]:
    """Retrieval and answer metrics of one configuration on dev (results kept for the plots);
    the LLM on the first ``LLM_SUBSET`` questions of each set (seconds an answer on CPU)."""
    settings = kb.settings
    if config.llm:
        limit = min(limit or LLM_SUBSET, LLM_SUBSET)
    llm = LLMGenerator(settings) if config.llm else None
    answerer = Answerer(kb, ConversationStore(make_engine("sqlite://")), llm=llm, mode=config.mode)
    questions = retrieval.load_questions()[:limit]
    found = retrieval.run(kb, questions, modes=[config.mode])["modes"][config.mode.value]
    results = answers.run(answerer.ask, None, limit)
    report = answers.build_report(results, config.name)
    metrics = {**found["all"], **report["groups"]["all"]}
    intervals = {
        name: gate.wilson_interval(metrics[name], int(metrics[count]))
        for name, count in (("negative_rejection", "must_refuse"), ("false_refusal", "answerable"))
    }
    return {
        "config": config.name,
        "metrics": metrics,
        "intervals": intervals,
        "answers": report,
        "results": results,
    }


def _cell(report: dict[str, Any], config: str, name: str) -> str:
    value = report["configs"][config][name]
    if name in gate.BY_CONSTRUCTION and not CONFIGS[config].llm:
        return f"{value:.3f} (by construction)"
    interval = report["intervals"].get(config, {}).get(name)
    return f"{value:.3f} ({interval[0]:.2f}–{interval[1]:.2f})" if interval else f"{value:.3f}"


def gate_markdown(scored: dict[str, Any]) -> list[str]:
    """The gated figures with their Wilson interval, floor and target; no questions."""
    values, found = scored["values"], scored["intervals"]
    lines = [f"## Gate ({scored['split']} split, hybrid + extractive)", ""]
    lines += ["| metric | value | 95% Wilson | floor (CI) | target |", "|---|---|---|---|---|"]
    for name, bound in gate.GATE.items():
        if name in found:
            sign = "≥" if bound.side == "min" else "≤"
            low, high = found[name]
            lines.append(f"| {name} | {values[name]:.3f} | {low:.3f}–{high:.3f} | "
                         f"{sign} {bound.floor} | {sign} {bound.target} |")  # fmt: skip
    by_category = ", ".join(f"{c} {v:.2f}" for c, v in scored["by_category"].items())
    lines += ["", f"Negative rejection by category: {by_category}.", ""]
    lines.append(
        "- gate: " + ("passes" if not scored["failures"] else "; ".join(scored["failures"]))
    )
    missed = scored["targets_missed"]
    lines.append("- targets: " + ("all met" if not missed else "not met: " + "; ".join(missed)))
    return lines


def summary_markdown(report: dict[str, Any]) -> str:
    """The gate and the comparison table: what the CLI prints."""
    lines = ["# Evaluation suite", "", f"run time {report['seconds']:.0f} s", ""]
    if report.get("gate"):
        lines += [*gate_markdown(report["gate"]), ""]
    for note in report["skipped"]:
        lines.append(f"- skipped {note}")
    if report["configs"]:
        lines += ["", "## Configurations (dev)", ""]
        lines += ["| metric | " + " | ".join(report["configs"]) + " |",
                  "|---" * (len(report["configs"]) + 1) + "|"]  # fmt: skip
        for name in COMPARED:
            cells = [_cell(report, c, name) for c in report["configs"]]
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        lines += ["", "Refusal rates show their 95% Wilson interval in brackets; faithfulness "
                  "and citation precision of an extractive answer are 1.0 by construction "
                  "(each sentence is a sentence of the passage it cites).", ""]  # fmt: skip
    return "\n".join(lines) + "\n"


def to_markdown(report: dict[str, Any]) -> str:
    """Summary, support scorer, then each configuration's tables and worst questions."""
    lines = [summary_markdown(report)]
    scorer = report.get("support_scorer")
    if scorer:
        lines += ["", support_scorer.to_markdown(scorer).replace("# ", "## ", 1)]
    for config, details in report["details"].items():
        body = answers.to_markdown(details).replace("# Answer evaluation", f"## {config}")
        lines += ["", body.replace("## Worst 10", "### Worst 10")]
    return "\n".join(lines) + "\n"


def plot(report: dict[str, Any], latencies: dict[str, list[float]], out_dir: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = ["recall@5", "ndcg@5", *answers.PLOTTED]
    configs = list(report["configs"])
    fig, ax = plt.subplots(figsize=(10, 4.5))
    width = 0.8 / max(len(configs), 1)
    for i, config in enumerate(configs):
        values = [report["configs"][config][k] for k in keys]
        ax.bar([x + i * width for x in range(len(keys))], values, width, label=config)
    ax.set_xticks([x + width * (len(configs) - 1) / 2 for x in range(len(keys))], keys,
                  rotation=20, ha="right")  # fmt: skip
    ax.set_ylim(0, 1.05)
    ax.set_title("metrics per configuration (dev)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out_dir / "configurations.png", dpi=120)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(7, 4))
    ax.boxplot(list(latencies.values()), tick_labels=list(latencies))
    ax.set_ylabel("latency per answer (ms)")
    fig.tight_layout()
    fig.savefig(out_dir / "latency.png", dpi=120)
    plt.close(fig)


def run_suite(
    dev_kb: KnowledgeBase | None,
    config_names: Sequence[str],
    heldout_kb: KnowledgeBase | None = None,
    limit: int | None = None,
    with_scorer: bool = True,
    out_root: Path | None = REPORTS,
) -> dict[str, Any]:
    """Compare the configurations on dev (with ``dev_kb``) and score the gate (with
    ``heldout_kb``); write the report folder unless ``out_root`` is None."""
    start = time.perf_counter()
    some_kb = dev_kb or heldout_kb
    if some_kb is None:
        raise ValueError("run_suite needs the dev index, the held-out index or both")
    configs, skipped = available(config_names, some_kb.settings)
    runs = [run_config(dev_kb, config, limit) for config in configs] if dev_kb else []
    report: dict[str, Any] = {
        "skipped": skipped,
        "configs": {r["config"]: r["metrics"] for r in runs},
        "intervals": {r["config"]: r["intervals"] for r in runs},
        "details": {r["config"]: r["answers"] for r in runs},
        "gate": score_gate(heldout_kb) if heldout_kb else None,
    }
    if with_scorer and dev_kb:
        report["support_scorer"] = support_scorer.evaluate(dev_kb.encoder, dev_kb.settings)
    report["seconds"] = time.perf_counter() - start
    if out_root is not None:
        out_dir = out_root / datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        out_dir.mkdir(parents=True, exist_ok=True)
        report["out_dir"] = str(out_dir)
        (out_dir / "report.json").write_text(
            json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8"
        )
        (out_dir / "report.md").write_text(to_markdown(report), encoding="utf-8")
        if runs:
            latencies = {r["config"]: [x.latency_ms for x in r["results"]] for r in runs}
            plot(report, latencies, out_dir)
    return report


def main(argv: Sequence[str] | None = None, settings: Settings | None = None) -> int:
    """``python -m evals.suite`` and ``certguide eval``: run, print the summary, report."""
    parser = argparse.ArgumentParser(prog="certguide eval", description=__doc__)
    add_arguments(parser)
    args = parser.parse_args(argv)
    names = [] if args.fast else (args.config or list(CONFIGS))
    with ExitStack() as stack:
        settings = settings or get_settings()
        if "llm" in names:
            settings = stack.enter_context(local_llm(settings))
        heldout_kb = retrieval.build_eval_index(args.heldout_dir, settings, with_clients=True)
        dev_kb = None if args.fast else retrieval.build_eval_index(args.eval_dir, settings)
        report = run_suite(dev_kb, names, heldout_kb, args.limit, with_scorer=not args.fast)
    print(summary_markdown(report))
    print(f"report: {report['out_dir']}")
    return 1 if args.gate and report["gate"]["failures"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
