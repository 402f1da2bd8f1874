"""Train the answerability model: when do the sources answer a question?

    python -m evals.train_answerability [--observe] [--write]

Every labelled question is asked as its asker (staff of huarui, or a consultant with the
client chosen) against an index of every org, and its signals are kept
(``assistant.answer.answerability.model.Features``: retrieval closeness, coverage, the checks'
findings …). Questions come from the generated set (evals/datasets/answerability: one
answerable and one must-refuse question per passage, six writers) and the dev sets.

Dev questions weigh double (they are written as users ask; the generated ones each stay close
to one passage). The regularisation is chosen by 5-fold cross-validation across all
questions; the threshold keeps false refusal within ``FALSE_REFUSAL_BUDGET`` for every writer
of the training folds. Leave-one-writer-out figures are reported beside them: how the model
does on a writer it never saw. The held-out split (``evals.heldout``) scores the result,
never this. ``--observe`` re-asks
every question (about 20 minutes; needed after a signal changes), else the observations
cached in ``--data-dir`` are reused. ``--write`` stores the model in
assistant/answer/answerability/model.json.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from assistant.access import Org, read_org_names
from assistant.answer.answerability.model import (
    FEATURE_NAMES,
    MODEL_FILE,
    AnswerabilityModel,
    Features,
    fit,
    vectors_of,
)
from assistant.answer.answerability.policy import RefusalPolicy
from assistant.answer.pipeline import Answerer
from assistant.conversations import ConversationStore
from assistant.db import make_engine
from assistant.settings import get_settings
from assistant.store.chroma_store import SearchFilter
from evals import answers, heldout, retrieval

GENERATED = answers.DATASETS / "answerability" / "generated.jsonl"
DEV_FILES = (("answers.jsonl", False), ("retrieval_golden.jsonl", False), ("refusal.jsonl", True))
FALSE_REFUSAL_BUDGET = 0.06  # for every writer: between the product goal 0.05 and the gate 0.07
DEV_WEIGHT = 2.0  # dev questions, written as users ask, count double the generated ones
L2_CHOICES = (0.1, 1.0, 5.0, 20.0)


@dataclass
class Observation:
    id: str
    writer: str  # who wrote it: g0 … g5 (generated) or "dev"
    must_refuse: bool
    category: str  # why it must be refused (out_of_scope …), or "answerable"
    features: Features
    hard_refusal: str  # the first check's refusal ("" if none): the checks alone


def labelled_items() -> list[tuple[dict[str, Any], str, bool]]:
    """(item, writer, must refuse) of every usable labelled question."""
    items = [
        (item, str(item["writer"]), item["label"] == "refuse")
        for item in answers.read_items(GENERATED)
    ]
    for name, must_refuse in DEV_FILES:
        items += [
            (item, "dev", must_refuse) for item in answers.read_items(answers.DATASETS / name)
        ]
    return items


def observe(answerer: Answerer, orgs: Sequence[Org], home_org: str) -> list[Observation]:
    """Ask each question as its asker with the checks alone, keeping the signals."""
    observations = []
    items = labelled_items()
    for done, (item, writer, must_refuse) in enumerate(items):
        if done % 200 == 0:
            print(f"observed {done} of {len(items)}", file=sys.stderr, flush=True)
        asked = {"org": home_org, **item}
        scope = heldout.asker_scope(asked, orgs, home_org)
        verdict = answerer.assess(
            str(item["question"]), filters=SearchFilter(orgs=scope.orgs)
        ).verdict
        category = "answerable" if not must_refuse else str(item.get("category", "refuse"))
        observations.append(Observation(str(item["id"]), writer, must_refuse, category,
                                        verdict.features,
                                        verdict.reason if verdict.refuse else ""))  # fmt: skip
    return observations


def rates(refused: np.ndarray, must_refuse: np.ndarray, categories: np.ndarray) -> dict[str, Any]:
    """``balanced_rejection``: the mean of the categories' negative rejection, so a category
    with more questions does not outweigh the others."""
    by_category = {
        str(c): float(refused[must_refuse & (categories == c)].mean())
        for c in np.unique(categories[must_refuse])
    }
    return {
        "negative_rejection": float(refused[must_refuse].mean()) if must_refuse.any() else 0.0,
        "balanced_rejection": float(np.mean(list(by_category.values()))) if by_category else 0.0,
        "false_refusal": float(refused[~must_refuse].mean()) if (~must_refuse).any() else 0.0,
        "by_category": by_category,
        "n_must_refuse": int(must_refuse.sum()),
        "n_answerable": int((~must_refuse).sum()),
    }


@dataclass
class Arrays:
    vectors: np.ndarray
    must_refuse: np.ndarray
    categories: np.ndarray
    writers: np.ndarray
    hard: np.ndarray

    @classmethod
    def of(cls, observations: Sequence[Observation]) -> Arrays:
        return cls(
            vectors_of([o.features for o in observations]),
            np.array([o.must_refuse for o in observations]),
            np.array([o.category for o in observations]),
            np.array([o.writer for o in observations]),
            np.array([bool(o.hard_refusal) for o in observations]),
        )

    def take(self, rows: np.ndarray) -> Arrays:
        return Arrays(self.vectors[rows], self.must_refuse[rows], self.categories[rows],
                      self.writers[rows], self.hard[rows])  # fmt: skip

    def rates(self, refused: np.ndarray) -> dict[str, Any]:
        return rates(refused, self.must_refuse, self.categories)

    def refused(self, model: AnswerabilityModel) -> np.ndarray:
        return np.array([model.refuses(Features(*v)) for v in self.vectors], dtype=bool)


def train(data: Arrays, l2: float, budget: float = FALSE_REFUSAL_BUDGET) -> AnswerabilityModel:
    """Logistic regression over every signal, dev questions weighing ``DEV_WEIGHT``; the
    threshold with the best balanced rejection whose false refusal stays within ``budget``
    for every writer in ``data`` (the hardest answerable questions set it)."""
    row_weights = np.where(data.writers == "dev", DEV_WEIGHT, 1.0)
    model = fit(data.vectors, data.must_refuse, data.categories, l2, row_weights=row_weights)
    probabilities = np.array([model.probability(v) for v in data.vectors])
    groups = [data.writers == writer for writer in np.unique(data.writers)]
    best_score, best_threshold = -1.0, 1.0
    for threshold in np.linspace(0.05, 0.95, 181):
        refused = probabilities > threshold
        worst = max(float(refused[g & ~data.must_refuse].mean()) for g in groups)
        score = data.rates(refused)["balanced_rejection"]
        if worst <= budget and score > best_score + 1e-9:
            best_score, best_threshold = score, float(threshold)
    return replace(model, threshold=best_threshold)


def leave_one_writer_out(data: Arrays, l2: float) -> tuple[np.ndarray, dict[str, Any]]:
    """Each writer's questions judged by a model fitted on the others: a new writer's
    figures (the dev fold: questions written as users ask, judged by a model fitted on the
    generated ones alone)."""
    refused = np.zeros(len(data.must_refuse), dtype=bool)
    folds = {}
    for writer in np.unique(data.writers):
        held = data.writers == writer
        model = train(data.take(~held), l2)
        refused[held] = data.take(held).refused(model)
        folds[str(writer)] = data.take(held).rates(refused[held])
    return refused, folds


def k_fold(data: Arrays, l2: float, folds: int = 5, seed: int = 0) -> np.ndarray:
    """Random folds across writers: new questions from writers the model has seen, which is
    what the model shipped (fitted on every writer) faces."""
    rows = np.random.default_rng(seed).permutation(len(data.must_refuse))
    refused = np.zeros(len(rows), dtype=bool)
    for held in np.array_split(rows, folds):
        model = train(data.take(np.setdiff1d(rows, held)), l2)
        refused[held] = data.take(held).refused(model)
    return refused


def by_source(data: Arrays, refused: np.ndarray) -> dict[str, Any]:
    """Figures for the dev questions and the generated ones apart."""
    dev = data.writers == "dev"
    return {
        "dev": data.take(dev).rates(refused[dev]),
        "generated": data.take(~dev).rates(refused[~dev]),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=Path("data/eval-heldout"))
    parser.add_argument("--observe", action="store_true", help="re-ask every question")
    parser.add_argument("--write", action="store_true", help=f"update {MODEL_FILE.name}")
    args = parser.parse_args(argv)
    cache = args.data_dir / "answerability-observations.json"
    if args.observe or not cache.is_file():
        settings = get_settings()
        kb = retrieval.build_eval_index(args.data_dir, settings, with_clients=True)
        orgs = [Org(id=i, name=n) for i, n in read_org_names(heldout.ORGS_FILE).items()]
        answerer = Answerer(kb, ConversationStore(make_engine("sqlite://")), RefusalPolicy(None))
        observations = observe(answerer, orgs, settings.home_org)
        cache.write_text(json.dumps([asdict(o) for o in observations], ensure_ascii=False))
    rows = json.loads(cache.read_text())
    if tuple(rows[0]["features"]) != FEATURE_NAMES:
        raise SystemExit(f"{cache} holds other signals: run with --observe")
    data = Arrays.of([Observation(**{**r, "features": Features(**r["features"])}) for r in rows])
    cv = {l2: k_fold(data, l2) for l2 in L2_CHOICES}
    best = max(cv, key=lambda l2: data.rates(cv[l2])["balanced_rejection"]
               - data.rates(cv[l2])["false_refusal"])  # fmt: skip
    lowo, folds = leave_one_writer_out(data, best)
    model = train(data, best)
    report = {
        "model": model.to_json(),
        "l2": best,
        "false_refusal_budget": FALSE_REFUSAL_BUDGET,
        "dev_weight": DEV_WEIGHT,
        "cross_validated": by_source(data, cv[best]),
        "cross_validated_by_l2": {str(l2): by_source(data, r) for l2, r in cv.items()},
        "new_writer": {**by_source(data, lowo), "folds": folds},
        "checks_alone": by_source(data, data.hard),
        "trained_on": "evals/datasets/answerability/generated.jsonl and the dev sets",
        "weights": dict(zip(FEATURE_NAMES, model.weights, strict=True)),
    }
    print(json.dumps({k: v for k, v in report.items() if k != "model"}, indent=1))
    if args.write:
        MODEL_FILE.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n",
                                    encoding="utf-8")  # fmt: skip
        print(f"wrote {MODEL_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
