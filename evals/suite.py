"""The whole evaluation in one run, configurations side by side, and the CI gate.

    python -m evals.suite [--fast] [--config hybrid dense lexical llm] [--split test]

For each configuration (retrieval mode × generator) it measures retrieval (R@1/@5, MRR,
nDCG@5 on the golden set) and answers (key facts, citations, faithfulness, refusals,
latency), plus the support scorer once; it writes evals/reports/<timestamp>/ with
report.json, report.md (a comparison table, then each configuration's tables and worst
questions) and PNG plots (metrics per configuration, latency per configuration).
``--fast`` is the CI subset: the test split, and only the configurations asked for.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.answer.llm import LLMGenerator
from assistant.answer.pipeline import Answerer
from assistant.cli import EVAL_CONFIGS, add_eval_arguments
from assistant.conversations import ConversationStore, make_engine
from assistant.knowledge import KnowledgeBase
from assistant.retrieval.hybrid import Mode
from assistant.settings import Settings, get_settings
from evals import answers, retrieval, support_scorer

REPORTS = Path(__file__).resolve().parent / "reports"

# The gate, on the test split: metric -> (bound, "min" | "max").
GATE: dict[str, tuple[float, str]] = {
    "recall@5": (0.90, "min"),
    "faithfulness": (0.95, "min"),
    "citation_precision": (0.90, "min"),
    "negative_rejection": (0.85, "min"),
    "false_refusal": (0.10, "max"),
}
# gated rates that are shares of questions, and the count each is a share of
_COUNTED = {
    "recall@5": "n",
    "negative_rejection": "must_refuse",
    "false_refusal": "answerable",
}
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
assert tuple(CONFIGS) == EVAL_CONFIGS


def gate_failures(values: dict[str, float]) -> list[str]:
    """The gate's violations, e.g. ``negative_rejection 0.789 < 0.85``; empty = passes.
    Metrics absent from ``values`` are not judged (an answer-only run has no recall@5)."""
    failures = []
    for name, (bound, side) in GATE.items():
        if name not in values:
            continue
        value = values[name]
        if (side == "min" and value < bound) or (side == "max" and value > bound):
            failures.append(f"{name} {value:.3f} {'<' if side == 'min' else '>'} {bound}")
    return failures


def wilson_interval(share: float, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% interval of a share of ``n`` questions: with 70 must-refuse questions, 0.81 is
    compatible with anything from about 0.70 to 0.89, which a reader of the gate should see."""
    if n <= 0:
        return (0.0, 1.0)
    centre = (share + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(share * (1 - share) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def intervals(values: dict[str, float]) -> dict[str, tuple[float, float]]:
    return {
        name: wilson_interval(values[name], int(values[count]))
        for name, count in _COUNTED.items()
        if name in values and count in values
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


def run_config(
    kb: KnowledgeBase, config: Config, split: str | None, limit: int | None = None
) -> dict[str, Any]:
    """Retrieval and answer metrics of one configuration (results kept for the plots)."""
    settings = kb.settings
    llm = LLMGenerator(settings) if config.llm else None
    answerer = Answerer(kb, ConversationStore(make_engine("sqlite://")), llm=llm, mode=config.mode)
    questions = retrieval.load_questions(split=split)
    found = retrieval.run(kb, questions, modes=[config.mode])["modes"][config.mode.value]
    results = answers.run(answerer.ask, split, limit)
    report = answers.build_report(results, config.name)
    metrics = {**found["all"], **report["groups"]["all"]}
    return {"config": config.name, "metrics": metrics, "answers": report, "results": results}


def _cell(report: dict[str, Any], config: str, name: str) -> str:
    interval = report.get("intervals", {}).get(config, {}).get(name)
    value = f"{report['configs'][config][name]:.3f}"
    return f"{value} ({interval[0]:.2f}–{interval[1]:.2f})" if interval else value


def summary_markdown(report: dict[str, Any]) -> str:
    """The comparison table and the gate: what the CLI prints."""
    lines = ["# Evaluation suite", "", f"split: {report['split'] or 'all'}; "
             f"run time {report['seconds']:.0f} s", ""]  # fmt: skip
    for note in report["skipped"]:
        lines.append(f"- skipped {note}")
    lines += ["", "## Configurations", ""]
    lines += ["| metric | " + " | ".join(report["configs"]) + " | gate |",
              "|---" * (len(report["configs"]) + 2) + "|"]  # fmt: skip
    for name in COMPARED:
        cells = [_cell(report, c, name) for c in report["configs"]]
        bound = GATE.get(name)
        gate = f"{'≥' if bound[1] == 'min' else '≤'} {bound[0]}" if bound else ""
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {gate} |")
    lines += ["", "Shares of questions show their 95% Wilson interval in brackets.", ""]
    lines += [f"## Gate ({report['split'] or 'all'} split)", ""]
    for config, failures in report["gate"].items():
        lines.append(f"- {config}: " + ("passes" if not failures else "; ".join(failures)))
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
    ax.set_title(f"metrics per configuration (split: {report['split'] or 'all'})")
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
    kb: KnowledgeBase,
    config_names: Sequence[str],
    split: str | None = "test",
    with_scorer: bool = True,
    out_root: Path | None = REPORTS,
) -> dict[str, Any]:
    """Run the configurations; write the report folder unless ``out_root`` is None."""
    start = time.perf_counter()
    configs, skipped = available(config_names, kb.settings)
    runs = [run_config(kb, config, split) for config in configs]
    report: dict[str, Any] = {
        "split": split,
        "skipped": skipped,
        "configs": {r["config"]: r["metrics"] for r in runs},
        "gate": {r["config"]: gate_failures(r["metrics"]) for r in runs},
        "intervals": {r["config"]: intervals(r["metrics"]) for r in runs},
        "details": {r["config"]: r["answers"] for r in runs},
    }
    if with_scorer:
        report["support_scorer"] = support_scorer.evaluate(kb.encoder, kb.settings)
    report["seconds"] = time.perf_counter() - start
    if out_root is not None:
        out_dir = out_root / datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        out_dir.mkdir(parents=True, exist_ok=True)
        report["out_dir"] = str(out_dir)
        (out_dir / "report.json").write_text(
            json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8"
        )
        (out_dir / "report.md").write_text(to_markdown(report), encoding="utf-8")
        latencies = {r["config"]: [x.latency_ms for x in r["results"]] for r in runs}
        plot(report, latencies, out_dir)
    return report


def run_from_args(args: argparse.Namespace, settings: Settings | None = None) -> int:
    """``certguide eval`` and ``python -m evals.suite``: run, print the summary, report."""
    names = args.config or (["hybrid"] if args.fast else list(CONFIGS))
    split = args.split or ("test" if args.fast else "all")
    kb = retrieval.build_eval_index(args.eval_dir, settings)
    report = run_suite(kb, names, None if split == "all" else split, with_scorer=not args.fast)
    print(summary_markdown(report))
    print(f"report: {report['out_dir']}")
    failed = any(report["gate"].values())
    return 1 if args.gate and failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    add_eval_arguments(parser)
    return run_from_args(parser.parse_args(argv), get_settings())


if __name__ == "__main__":
    raise SystemExit(main())
