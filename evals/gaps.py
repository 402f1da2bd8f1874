"""Gap report accuracy on the sample clients: ``python -m evals.gaps``.

The labels (evals/datasets/gap_labels.json) list each client's planted gaps and the clauses
its procedures plainly cover; the report's call for each is compared with them.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.gaps import GapAssessor
from assistant.knowledge import KnowledgeBase
from assistant.schema import GapReport
from assistant.settings import PROJECT_ROOT, get_settings

LABELS = Path(__file__).resolve().parent / "datasets" / "gap_labels.json"


def labels() -> dict[str, dict[str, list[str]]]:
    data: dict[str, Any] = json.loads(LABELS.read_text(encoding="utf-8"))
    return {org: calls for org, calls in data.items() if not org.startswith("_")}


def score(report: GapReport, expected: dict[str, list[str]]) -> dict[str, Any]:
    status = {item.ref: item.status.value for item in report.items}
    wrong = [
        {"ref": ref, "expected": call, "got": status.get(ref, "absent")}
        for call, refs in expected.items()
        for ref in refs
        if status.get(ref) != call
    ]
    judged = sum(len(refs) for refs in expected.values())
    return {"judged": judged, "accuracy": round(1 - len(wrong) / judged, 4), "wrong": wrong,
            "counts": report.counts()}  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=Path("data/eval-gaps"))
    args = parser.parse_args(argv)
    kb = KnowledgeBase(get_settings().model_copy(update={"data_dir": args.data_dir}))
    corpus = PROJECT_ROOT / "corpus"
    kb.ingest([corpus / "clients"], progress=False)  # requirements: package data
    started = time.perf_counter()
    assessor = GapAssessor(kb)
    print(f"requirements: {len(assessor.requirements)} (prepared in "
          f"{time.perf_counter() - started:.1f} s)")  # fmt: skip
    for org, expected in labels().items():
        started = time.perf_counter()
        result = score(assessor.assess(org), expected)
        seconds = time.perf_counter() - started
        print(f"{org}: accuracy {result['accuracy']:.3f} on {result['judged']} labelled calls; "
              f"report {result['counts']} in {seconds:.1f} s")  # fmt: skip
        for miss in result["wrong"]:
            print(f"  {miss['ref']}: expected {miss['expected']}, got {miss['got']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
