"""Calibrate the refusal thresholds (top cosine, term coverage) on the dev split.

    python -m evals.calibrate_refusal [--write]

Answerable questions come from answers.jsonl, must-refuse ones from refusal.jsonl. The
thresholds that maximise (negative rejection + answer rate) with false refusal <= 10% on
dev are written to assistant/answer/calibration.json; the test split is then reported
with those thresholds, never used to choose them.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.answer.pipeline import Answerer
from assistant.answer.refusal import CALIBRATION_FILE, RefusalPolicy, Thresholds
from assistant.conversations import ConversationStore, make_engine
from evals.retrieval import OFFICIAL_DOC_IDS, REGULATIONS_DIR, build_eval_index

DATASETS = Path(__file__).resolve().parent / "datasets"
MAX_FALSE_REFUSAL = 0.10


@dataclass
class Observation:
    id: str
    split: str
    must_refuse: bool
    similarity: float
    coverage: float
    vocabulary: float
    hard_refusal: str  # a refusal reason that thresholds do not control ("" if none)


def _load(name: str) -> list[dict[str, object]]:
    path = DATASETS / name
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def observe(answerer: Answerer) -> list[Observation]:
    """Judge every question with thresholds off, keeping the features."""
    answerer.policy = RefusalPolicy(Thresholds(0.0, 0.0, 0.0))
    items = [(item, False) for item in _load("answers.jsonl")]
    # more answerable questions, so the thresholds are not fitted to one set's phrasing
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
        f = verdict.features
        observations.append(Observation(str(item["id"]), str(item["split"]), must_refuse,
                                        f.similarity, f.coverage, f.vocabulary,
                                        verdict.reason if verdict.refuse else ""))  # fmt: skip
    return observations


def rates(observations: Sequence[Observation], thresholds: Thresholds) -> dict[str, float]:
    refused = [
        bool(o.hard_refusal)
        or o.similarity < thresholds.min_similarity
        or o.coverage < thresholds.min_coverage
        or o.vocabulary < thresholds.min_vocabulary
        for o in observations
    ]
    negatives = [r for r, o in zip(refused, observations, strict=True) if o.must_refuse]
    positives = [r for r, o in zip(refused, observations, strict=True) if not o.must_refuse]
    return {
        "negative_rejection": sum(negatives) / max(len(negatives), 1),
        "false_refusal": sum(positives) / max(len(positives), 1),
        "n_must_refuse": len(negatives),
        "n_answerable": len(positives),
    }


def choose(observations: Sequence[Observation]) -> Thresholds:
    best, best_score = Thresholds(0.0, 0.0, 0.0), -1.0
    for sim in np.arange(0.80, 0.92, 0.005):
        for cov in np.arange(0.0, 0.81, 0.05):
            for voc in np.arange(0.0, 1.01, 0.05):
                candidate = Thresholds(round(float(sim), 4), round(float(cov), 3),
                                       round(float(voc), 3))  # fmt: skip
                r = rates(observations, candidate)
                if r["false_refusal"] > MAX_FALSE_REFUSAL:
                    continue
                score = r["negative_rejection"] + (1 - r["false_refusal"])
                if score > best_score + 1e-9:
                    best, best_score = candidate, score
    return best


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=Path("data/eval"))
    parser.add_argument("--write", action="store_true", help=f"update {CALIBRATION_FILE.name}")
    args = parser.parse_args(argv)
    kb = build_eval_index(args.data_dir)
    conversations = ConversationStore(make_engine("sqlite://"))
    observations = observe(Answerer(kb, conversations))
    dev = [o for o in observations if o.split == "dev"]
    test = [o for o in observations if o.split == "test"]
    chosen = choose(dev)
    report = {
        "min_similarity": chosen.min_similarity,
        "min_coverage": chosen.min_coverage,
        "min_vocabulary": chosen.min_vocabulary,
        "dev": rates(dev, chosen),
        "test": rates(test, chosen),
        "calibrated_on": "evals/datasets answers.jsonl + refusal.jsonl, dev split",
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))
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
