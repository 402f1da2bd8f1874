"""Fit the second-stage ranking on the dev questions and report what each signal is worth.

    python -m evals.train_rerank [--write] [--data-dir data/eval]

Every dev question with expected sources (the retrieval golden set and the answer set) gives
the hybrid's first ``POOL`` passages, labelled by whether each is an expected source. The
report is cross-validated by question (5 folds, two seeds): the hybrid order, the learned
order, and the learned order without each signal in turn — a signal that costs nothing to
leave out is not worth computing. ``--write`` saves the model fitted on all of dev.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from assistant.knowledge import KnowledgeBase
from assistant.logistic import Logistic, fit_logistic
from assistant.retrieval.glossary import expand_query
from assistant.retrieval.rerank import FEATURE_NAMES, MODEL_FILE, Candidate, features, order
from assistant.settings import get_settings
from evals import answers, retrieval

SETTINGS = get_settings()
POOL = SETTINGS.rerank_pool or 30  # fitted on the pool the product re-orders
FOLDS = 5
SEEDS = (0, 1)
L2 = 1.0


@dataclass
class Observed:
    """One question's pool: its feature rows, labels and passages (for the spread)."""

    vectors: np.ndarray
    labels: np.ndarray
    candidates: list[Candidate]


def dev_items() -> list[tuple[str, frozenset[tuple[str, str]]]]:
    items = [(q.question, frozenset(q.expected)) for q in retrieval.load_questions(split="dev")]
    for item in answers.load("answers.jsonl", "dev", None):
        expected = frozenset((e["doc_id"], e["ref"]) for e in item.get("expected") or [])
        if expected:
            items.append((str(item["question"]), expected))
    return items


def observe(
    kb: KnowledgeBase, items: Sequence[tuple[str, frozenset[tuple[str, str]]]]
) -> list[Observed]:
    observed = []
    for question, expected in items:
        pool = kb.retriever.candidates(question, POOL)
        expanded = expand_query(question)
        vectors = features(expanded, pool, kb.retriever.term_weights(expanded))
        labels = np.array([(c.chunk.doc_id, c.chunk.ref) in expected for c in pool])
        observed.append(Observed(vectors, labels, pool))
    return observed


def ranks(observed: Sequence[Observed], scores: Sequence[np.ndarray] | None) -> dict[str, float]:
    """R@1, R@5 and MRR of the order the scores give (the hybrid order without them), after
    restatements are moved out of the top five as the reranker does."""
    found: list[int] = []
    for i, obs in enumerate(observed):
        if scores is None:
            ordered = list(range(len(obs.candidates)))
        else:
            index = {id(c): n for n, c in enumerate(obs.candidates)}
            shown = order(
                obs.candidates, scores[i], SETTINGS.distinct_top, SETTINGS.restatement_overlap
            )
            ordered = [index[id(c)] for c in shown]
        hit = [n + 1 for n, j in enumerate(ordered) if obs.labels[j]]
        found.append(hit[0] if hit else 0)
    return retrieval.summarise(found)


def fit(observed: Sequence[Observed], columns: Sequence[int]) -> Logistic:
    vectors = np.vstack([o.vectors[:, columns] for o in observed])
    labels = np.concatenate([o.labels for o in observed])
    return fit_logistic(vectors, labels, [FEATURE_NAMES[c] for c in columns], L2)


def cross_validated(observed: Sequence[Observed], columns: Sequence[int]) -> dict[str, float]:
    """Mean over seeds of the out-of-fold ranking."""
    runs = []
    for seed in SEEDS:
        fold = np.random.default_rng(seed).permutation(len(observed)) % FOLDS
        scores: list[np.ndarray] = [np.zeros(0)] * len(observed)
        for k in range(FOLDS):
            model = fit([o for o, f in zip(observed, fold, strict=True) if f != k], columns)
            for i in np.flatnonzero(fold == k):
                scores[int(i)] = model.probabilities(observed[int(i)].vectors[:, columns])
        runs.append(ranks(observed, scores))
    return {key: round(float(np.mean([r[key] for r in runs])), 3) for key in runs[0]}


def report(observed: Sequence[Observed]) -> dict[str, dict[str, float]]:
    everything = list(range(len(FEATURE_NAMES)))
    table = {
        "hybrid order": ranks(observed, None),
        "learned (cross-validated)": cross_validated(observed, everything),
    }
    for column, name in enumerate(FEATURE_NAMES):
        table[f"without {name}"] = cross_validated(observed, [c for c in everything if c != column])
    return table


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=Path("data/eval"))
    parser.add_argument("--write", action="store_true", help=f"save the model to {MODEL_FILE}")
    args = parser.parse_args(argv)
    # the first stage alone: the model being fitted may not match the file yet
    settings = SETTINGS.model_copy(update={"rerank_pool": 0})
    kb = retrieval.build_eval_index(args.data_dir, settings)
    items = dev_items()
    observed = observe(kb, items)
    table = report(observed)
    print(f"{len(items)} dev questions, the hybrid's first {POOL} passages each")
    print("| order | R@1 | R@5 | MRR |\n|---|---|---|---|")
    for name, values in table.items():
        print(f"| {name} | {values['recall@1']:.3f} | {values['recall@5']:.3f} | "
              f"{values['mrr']:.3f} |")  # fmt: skip
    if args.write:
        model = fit(observed, list(range(len(FEATURE_NAMES))))
        payload = {
            "fitted": datetime.now(UTC).date().isoformat(),
            "questions": len(items),
            "pool": POOL,
            "cross_validated": table,
            "model": model.to_json(),
        }
        MODEL_FILE.write_text(json.dumps(payload, ensure_ascii=False, indent=1) + "\n", "utf-8")
        print(f"written: {MODEL_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
