"""Fit the refusal confidence model on the dev split.

    python -m evals.calibrate_refusal [--write]

Answerable questions come from answers.jsonl and retrieval_golden.jsonl, must-refuse ones
from refusal.jsonl. Every question is judged by the hard checks alone, keeping its features
(``assistant.answer.confidence``). On the dev split only: the regularisation and the
false-refusal budget are chosen by 5-fold cross-validation, then the model is fitted on
the questions the hard checks let through and its threshold set so dev false refusal stays
within the budget. The test split is scored once with that model, never used to choose it.
A plain off-topic rule (closer to an uncovered subject than to any passage by a margin) is
chosen the same way. ``--write`` stores the model and the figures in
assistant/answer/calibration.json.
"""

from __future__ import annotations

import argparse
import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from assistant.answer.confidence import (
    CALIBRATION_FILE,
    FEATURE_NAMES,
    ConfidenceModel,
    Features,
    fit,
    vectors_of,
)
from assistant.answer.pipeline import Answerer
from assistant.answer.refusal import RefusalPolicy
from assistant.conversations import ConversationStore, make_engine
from evals.retrieval import OFFICIAL_DOC_IDS, REGULATIONS_DIR, build_eval_index

DATASETS = Path(__file__).resolve().parent / "datasets"
MAX_FALSE_REFUSAL = 0.10
L2_CHOICES = (0.1, 1.0, 5.0, 20.0)
BUDGET_CHOICES = (0.06, 0.08, 0.10)
MARGIN_CHOICES = (1.0, 0.08, 0.06, 0.04, 0.02, 0.0)  # 1.0: no off-topic rule
FOLDS = 5
SEEDS = 5  # fold assignments averaged over: one split's luck swung the choice of l2


@dataclass
class Observation:
    id: str
    split: str
    must_refuse: bool
    category: str  # why it must be refused (out_of_scope …), or "answerable"
    features: Features
    hard_refusal: str  # the hard check that refused it ("" if none)


def _load(name: str) -> list[dict[str, object]]:
    path = DATASETS / name
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def observe(answerer: Answerer) -> list[Observation]:
    """Judge every question (the answerer should have ``RefusalPolicy(None)``: hard checks
    only), keeping the features."""
    items = [(item, False) for item in _load("answers.jsonl")]
    # more answerable questions, so the model is not fitted to one set's phrasing
    items += [(item, False) for item in _load("retrieval_golden.jsonl")]
    items += [(item, True) for item in _load("refusal.jsonl")]
    observations = []
    for item, must_refuse in items:
        expected = item.get("expected") or []
        needs_official = expected and all(
            e["doc_id"] in OFFICIAL_DOC_IDS  # type: ignore[index]
            for e in expected  # type: ignore[union-attr]
        )
        if needs_official and not REGULATIONS_DIR.is_dir():
            continue
        verdict = answerer.assess(str(item["question"])).verdict
        observations.append(Observation(str(item["id"]), str(item["split"]), must_refuse,
                                        str(item.get("category", "answerable")), verdict.features,
                                        verdict.reason if verdict.refuse else ""))  # fmt: skip
    return observations


def rates(refused: np.ndarray, must_refuse: np.ndarray, categories: np.ndarray) -> dict[str, float]:
    """``balanced_rejection``: the mean of the categories' negative rejection, so a category
    with more dev questions (batch 3 is mostly absent facts and false premises) does not
    outweigh the others."""
    by_category = [
        float(refused[must_refuse & (categories == c)].mean())
        for c in np.unique(categories[must_refuse])
    ]
    return {
        "negative_rejection": float(refused[must_refuse].mean()) if must_refuse.any() else 0.0,
        "balanced_rejection": float(np.mean(by_category)) if by_category else 0.0,
        "false_refusal": float(refused[~must_refuse].mean()) if (~must_refuse).any() else 0.0,
        "n_must_refuse": int(must_refuse.sum()),
        "n_answerable": int((~must_refuse).sum()),
    }


@dataclass
class Arrays:
    vectors: np.ndarray
    must_refuse: np.ndarray
    categories: np.ndarray
    hard: np.ndarray

    @classmethod
    def of(cls, observations: Sequence[Observation]) -> Arrays:
        return cls(
            vectors_of([o.features for o in observations]),
            np.array([o.must_refuse for o in observations]),
            np.array([o.category for o in observations]),
            np.array([bool(o.hard_refusal) for o in observations]),
        )

    def take(self, rows: np.ndarray) -> Arrays:
        return Arrays(
            self.vectors[rows], self.must_refuse[rows], self.categories[rows], self.hard[rows]
        )

    def rates(self, refused: np.ndarray) -> dict[str, float]:
        return rates(refused, self.must_refuse, self.categories)

    def off_topic(self, margin: float) -> np.ndarray:
        return self.vectors[:, FEATURE_NAMES.index("off_topic_margin")] > margin

    def refused(self, model: ConfidenceModel) -> np.ndarray:
        probabilities = np.array([model.probability(v) for v in self.vectors])
        ruled = self.hard | self.off_topic(model.max_off_topic_margin)
        return ruled | (probabilities > model.threshold)


def train(data: Arrays, l2: float, budget: float, margin: float) -> ConfidenceModel:
    """Fit on what the hard checks and the off-topic rule let through; the threshold with
    the best balanced rejection + answer rate whose false refusal stays within ``budget``."""
    ruled = data.hard | data.off_topic(margin)
    soft = ~ruled
    model = fit(data.vectors[soft], data.must_refuse[soft], data.categories[soft], l2)
    probabilities = np.array([model.probability(v) for v in data.vectors])
    best_score, best_threshold = -1.0, 1.0
    for threshold in np.linspace(0.05, 0.95, 91):
        refused = ruled | (probabilities > threshold)
        r = data.rates(refused)
        score = r["balanced_rejection"] + 1 - r["false_refusal"]
        if r["false_refusal"] <= budget and score > best_score + 1e-9:
            best_score, best_threshold = score, float(threshold)
    return replace(model, threshold=best_threshold, max_off_topic_margin=margin)


def cross_validate(
    data: Arrays, l2: float, budget: float, margin: float, seed: int = 0
) -> dict[str, float]:
    rows = np.random.default_rng(seed).permutation(len(data.must_refuse))
    refused = np.zeros(len(rows), dtype=bool)
    for held_out in np.array_split(rows, FOLDS):
        training = np.setdiff1d(rows, held_out)
        model = train(data.take(training), l2, budget, margin)
        refused[held_out] = data.take(held_out).refused(model)
    return data.rates(refused)


def choose(dev: Arrays) -> tuple[tuple[float, float, float], dict[str, float]]:
    """(l2, budget, margin) with the best cross-validated balanced rejection minus false
    refusal (averaged over ``SEEDS`` fold assignments), among those whose cross-validated false
    refusal stays under the gate's 10%."""
    best: tuple[tuple[float, float, float], dict[str, float]] | None = None
    for setting in itertools.product(L2_CHOICES, BUDGET_CHOICES, MARGIN_CHOICES):
        runs = [cross_validate(dev, *setting, seed=seed) for seed in range(SEEDS)]
        averaged = ("negative_rejection", "balanced_rejection", "false_refusal")  # not counts
        r = {**runs[0], **{key: float(np.mean([run[key] for run in runs])) for key in averaged}}
        if r["false_refusal"] > MAX_FALSE_REFUSAL:
            continue
        score = r["balanced_rejection"] - r["false_refusal"]
        if best is None or score > best[1]["balanced_rejection"] - best[1]["false_refusal"]:
            best = (setting, r)
    if best is None:
        raise SystemExit("no setting keeps cross-validated false refusal within 10%")
    return best


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=Path("data/eval"))
    parser.add_argument("--write", action="store_true", help=f"update {CALIBRATION_FILE.name}")
    parser.add_argument(
        "--score-test",
        action="store_true",
        help="also score the test split (once, after the method is settled; implied by --write)",
    )
    args = parser.parse_args(argv)
    kb = build_eval_index(args.data_dir)
    conversations = ConversationStore(make_engine("sqlite://"))
    observations = observe(Answerer(kb, conversations, policy=RefusalPolicy(None)))
    dev = Arrays.of([o for o in observations if o.split == "dev"])
    test = Arrays.of([o for o in observations if o.split == "test"])
    (l2, budget, margin), cv = choose(dev)
    model = train(dev, l2, budget, margin)
    report = {
        "model": model.to_json(),
        "l2": l2,
        "false_refusal_budget": budget,
        "max_off_topic_margin": margin,
        "dev_cross_validated": cv,
        "dev": dev.rates(dev.refused(model)),
        "dev_hard_checks_only": dev.rates(dev.hard),
        **({"test": test.rates(test.refused(model))} if args.score_test or args.write else {}),
        "calibrated_on": "dev split of answers.jsonl, retrieval_golden.jsonl, refusal.jsonl",
    }
    print(json.dumps({k: v for k, v in report.items() if k != "model"}, indent=2))
    reasons: dict[str, int] = {}
    for o in observations:
        if o.must_refuse and o.hard_refusal:
            reasons[o.hard_refusal] = reasons.get(o.hard_refusal, 0) + 1
    print("hard refusals of must-refuse questions by reason:", reasons)
    if args.write:
        CALIBRATION_FILE.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n",
                                    encoding="utf-8")  # fmt: skip
        print(f"wrote {CALIBRATION_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
