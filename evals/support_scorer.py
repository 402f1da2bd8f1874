"""Accuracy of the support scorer (does this passage support this sentence?) on the
labelled pairs in evals/datasets/support_pairs.jsonl, and the coverage threshold that the
dev split favours.

    python -m evals.support_scorer
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from assistant.answer.text import SUPPORT_THRESHOLD, support

DATASET = Path(__file__).resolve().parent / "datasets" / "support_pairs.jsonl"


def load() -> list[dict[str, Any]]:
    lines = DATASET.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def accuracy(items: list[dict[str, Any]], threshold: float = SUPPORT_THRESHOLD) -> float:
    def verdict(item: dict[str, Any]) -> bool:
        result = support(item["sentence"], item["passage"])
        facts_agree = result.numbers_ok and result.polarity_ok and result.roles_ok
        return facts_agree and result.score >= threshold

    correct = sum(verdict(i) == (i["label"] == "supported") for i in items)
    return correct / max(len(items), 1)


def errors_by_kind(items: list[dict[str, Any]]) -> dict[str, int]:
    return dict(
        Counter(
            i["kind"]
            for i in items
            if support(i["sentence"], i["passage"]).supported != (i["label"] == "supported")
        )
    )


def best_threshold(items: list[dict[str, Any]]) -> float:
    grid = [round(0.3 + 0.05 * step, 2) for step in range(11)]
    return max(grid, key=lambda t: (accuracy(items, t), -abs(t - SUPPORT_THRESHOLD)))


def main() -> int:
    items = load()
    dev = [i for i in items if i["split"] == "dev"]
    test = [i for i in items if i["split"] == "test"]
    chosen = best_threshold(dev)
    print(
        f"pairs: {len(dev)} dev, {len(test)} test; threshold in use {SUPPORT_THRESHOLD}, "
        f"dev-best {chosen}"
    )
    for name, split in (("dev", dev), ("test", test)):
        print(f"{name}: accuracy {accuracy(split):.3f}; errors by kind {errors_by_kind(split)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
