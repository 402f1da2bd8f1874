"""Retrieval eval: recall@1/@5, MRR and nDCG@5 per kind and split, dense vs lexical vs hybrid.

    python -m evals.retrieval [--split dev] [--data-dir DIR] [--out evals/reports]

Indexes the built-in corpus plus the official texts in ../shared/regulations (when present)
into its own data dir, so the eval never depends on, or changes, the user's index.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.knowledge import KnowledgeBase
from assistant.retrieval.hybrid import Mode
from assistant.settings import PROJECT_ROOT, Settings, get_settings

DATASET = PROJECT_ROOT / "evals" / "datasets" / "retrieval_golden.jsonl"
REGULATIONS_DIR = PROJECT_ROOT.parent / "shared" / "regulations"
OFFICIAL_DOC_IDS = {
    "xk-licence-regulation-2023", "certification-accreditation-regulation-2023",
    "standardization-law-2017", "metrology-law-2018", "administrative-licensing-law-2019",
}  # fmt: skip


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    expected: frozenset[tuple[str, str]]
    kind: str
    split: str


def load_questions(path: Path = DATASET, split: str | None = None) -> list[Question]:
    have_regulations = REGULATIONS_DIR.is_dir()
    questions = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        expected = frozenset((e["doc_id"], e["ref"]) for e in item["expected"])
        if not have_regulations:
            expected = frozenset(e for e in expected if e[0] not in OFFICIAL_DOC_IDS)
            if not expected:
                continue
        if split and item["split"] != split:
            continue
        questions.append(Question(item["id"], item["question"], expected, item["kind"],
                                  item["split"]))  # fmt: skip
    return questions


def first_relevant_rank(
    hits: Sequence[tuple[str, str]], expected: frozenset[tuple[str, str]]
) -> int:
    for rank, hit in enumerate(hits, 1):
        if hit in expected:
            return rank
    return 0


def ndcg_at(
    hits: Sequence[tuple[str, str]], expected: frozenset[tuple[str, str]], k: int = 5
) -> float:
    """Binary-relevance nDCG@k: every expected chunk in the top k counts, higher is better,
    so a ranking with two answering chunks on top beats one with a single hit at rank 1."""
    dcg = sum(1 / math.log2(rank + 1) for rank, hit in enumerate(hits[:k], 1) if hit in expected)
    ideal = sum(1 / math.log2(rank + 1) for rank in range(1, min(len(expected), k) + 1))
    return dcg / ideal if ideal else 0.0


def summarise(ranks: Iterable[int], ndcgs: Iterable[float] = ()) -> dict[str, float]:
    values = list(ranks)
    gains = list(ndcgs)
    n = max(len(values), 1)
    summary = {
        "n": len(values),
        "recall@1": sum(1 for r in values if r == 1) / n,
        "recall@5": sum(1 for r in values if 0 < r <= 5) / n,
        "mrr": sum(1 / r for r in values if r) / n,
    }
    if gains:
        summary["ndcg@5"] = sum(gains) / len(gains)
    return summary


def build_eval_index(
    data_dir: Path, settings: Settings | None = None, with_clients: bool = False
) -> KnowledgeBase:
    """The built-in corpus and the official texts. Without ``with_clients`` it is our staff's
    view (the consulting clients' folders are other orgs' data); the held-out split asks as
    each item's asker, so its index holds every org and the question's scope does the rest."""
    base = settings or get_settings()
    kb = KnowledgeBase(base.model_copy(update={"data_dir": data_dir}))
    corpus = PROJECT_ROOT / "corpus"
    paths = sorted(
        p for p in corpus.iterdir() if p.is_dir() and (with_clients or p.name != "clients")
    )
    if REGULATIONS_DIR.is_dir():
        paths += sorted(p for p in REGULATIONS_DIR.glob("*.md") if p.name != "README.md")
    report = kb.ingest(paths, progress=False)
    if report.failed:
        raise RuntimeError(f"eval ingest failed: {report.failed}")
    return kb


def run(kb: KnowledgeBase, questions: Sequence[Question], modes: Sequence[Mode] = tuple(Mode),
        k: int = 10) -> dict[str, Any]:  # fmt: skip
    results: dict[str, Any] = {"modes": {}, "questions": []}
    per_question: dict[str, dict[str, Any]] = {q.id: {"id": q.id, "question": q.question,
                                                      "kind": q.kind, "split": q.split}
                                               for q in questions}  # fmt: skip
    for mode in modes:
        ranks: dict[str, int] = {}
        ndcgs: dict[str, float] = {}
        latencies = []
        for q in questions:
            start = time.perf_counter()
            hits = kb.search(q.question, k=k, mode=mode)
            latencies.append((time.perf_counter() - start) * 1000)
            found = [(h.doc_id, h.ref) for h in hits]
            ranks[q.id] = first_relevant_rank(found, q.expected)
            ndcgs[q.id] = ndcg_at(found, q.expected)
            per_question[q.id][mode.value] = {
                "rank": ranks[q.id],
                "ndcg@5": round(ndcgs[q.id], 4),
                "top": [f"{h.doc_id} {h.ref}" for h in hits[:3]],
            }
        groups: dict[str, dict[str, float]] = {"all": summarise(ranks.values(), ndcgs.values())}
        for attr in ("kind", "split"):
            for value in sorted({getattr(q, attr) for q in questions}):
                members = [q.id for q in questions if getattr(q, attr) == value]
                groups[f"{attr}={value}"] = summarise(
                    (ranks[i] for i in members), (ndcgs[i] for i in members)
                )
        groups["all"]["latency_p50_ms"] = statistics.median(latencies)
        results["modes"][mode.value] = groups
    results["questions"] = list(per_question.values())
    return results


def to_markdown(results: dict[str, Any]) -> str:
    lines = ["# Retrieval evaluation", ""]
    modes = list(results["modes"])
    groups = list(results["modes"][modes[0]])
    names = ("recall@1", "recall@5", "mrr", "ndcg@5")
    heads = ("R@1", "R@5", "MRR", "nDCG@5")
    lines += ["| group | n | " + " | ".join(f"{m} {h}" for m in modes for h in heads) + " |",
              "|---|---|" + "---|" * (len(heads) * len(modes))]  # fmt: skip
    for group in groups:
        cells = []
        for mode in modes:
            g = results["modes"][mode][group]
            cells += [f"{g[name]:.3f}" for name in names]
        n = results["modes"][modes[0]][group]["n"]
        lines.append(f"| {group} | {n} | " + " | ".join(cells) + " |")
    misses = [q for q in results["questions"] if not 0 < q.get("hybrid", {}).get("rank", 0) <= 5]
    if misses:
        lines += ["", "## Hybrid misses (not in top 5)", ""]
        for q in misses:
            lines.append(f"- {q['id']} [{q['split']}] {q['question']} → {q['hybrid']['top']}")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--split", choices=["dev"], default=None)
    parser.add_argument("--data-dir", type=Path, default=Path("data/eval"))
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "evals" / "reports")
    args = parser.parse_args(argv)
    kb = build_eval_index(args.data_dir)
    questions = load_questions(split=args.split)
    results = run(kb, questions)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out_dir = args.out / stamp
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "retrieval.json").write_text(json.dumps(results, ensure_ascii=False, indent=2),
                                            encoding="utf-8")  # fmt: skip
    markdown = to_markdown(results)
    (out_dir / "retrieval.md").write_text(markdown, encoding="utf-8")
    print(markdown)
    print(f"report: {out_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
