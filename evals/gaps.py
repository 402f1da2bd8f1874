"""Gap report accuracy on the sample clients: ``python -m evals.gaps [--heldout]``.

The labels (evals/datasets/gap_labels.json) list each client's planted gaps and the clauses
its procedures plainly cover; the report's call for each is compared with them.

``--heldout`` scores the clients written blind (evals/datasets/gap_heldout: procedures and a
label for every requirement, by someone who saw neither the assessor nor its thresholds)
instead: the confusion matrix of calls against labels, the planted gaps' calls and the
agreement on clauses labelled covered. Score it once a round, after the method is settled;
the count is in that folder's README.
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
HELDOUT = Path(__file__).resolve().parent / "datasets" / "gap_heldout"
STATUSES = ("covered", "partial", "missing")


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


def score_heldout(report: GapReport, labelled: dict[str, Any]) -> dict[str, Any]:
    """Calls against a label for every requirement: the matrix (label -> call -> count), the
    planted gaps' calls, and the share of clauses labelled covered that are called so."""
    calls = {item.ref: item.status.value for item in report.items}
    labels_by_ref: dict[str, str] = labelled["labels"]
    matrix = {label: dict.fromkeys(STATUSES, 0) for label in STATUSES}
    for ref, label in labels_by_ref.items():
        matrix[label][calls[ref]] += 1
    covered = [ref for ref, label in labels_by_ref.items() if label == "covered"]
    return {
        "matrix": matrix,
        "planted": {ref: calls[ref] for ref in labelled["planted"]},
        "covered_agreement": round(sum(calls[r] == "covered" for r in covered) / len(covered), 3),
        "agreement": round(
            sum(calls[ref] == label for ref, label in labels_by_ref.items()) / len(labels_by_ref),
            3,
        ),
    }


def heldout(kb: KnowledgeBase) -> int:
    kb.ingest(sorted(HELDOUT.glob("*/*-QP-*.md")), progress=False)
    assessor = GapAssessor(kb)
    for folder in sorted(p for p in HELDOUT.iterdir() if p.is_dir()):
        labelled = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
        result = score_heldout(assessor.assess(labelled["org"]), labelled)
        print(
            f"\n{labelled['org']}: agreement {result['agreement']:.3f}; labelled covered "
            f"called covered {result['covered_agreement']:.3f}; planted {result['planted']}"
        )
        print("| label \\ call | " + " | ".join(STATUSES) + " |\n|---|---|---|---|")
        for label, row in result["matrix"].items():
            print(f"| {label} | " + " | ".join(str(row[c]) for c in STATUSES) + " |")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=Path("data/eval-gaps"))
    parser.add_argument("--heldout", action="store_true", help="score the blind clients")
    args = parser.parse_args(argv)
    kb = KnowledgeBase(get_settings().model_copy(update={"data_dir": args.data_dir}))
    if args.heldout:
        return heldout(kb)
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
