"""Gap report accuracy on the sample clients: ``python -m evals.gaps [--heldout]``.

The labels (evals/datasets/gap_labels.json) give a call for every requirement of each corpus
client and list its planted gaps; the report's calls are compared with them (the confusion
matrix, the planted gaps' calls, the cost of the mistakes).

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
from assistant.schema import GapReport, GapStatus
from assistant.settings import PROJECT_ROOT, get_settings

LABELS = Path(__file__).resolve().parent / "datasets" / "gap_labels.json"
HELDOUT = Path(__file__).resolve().parent / "datasets" / "gap_heldout"
STATUSES = ("covered", "partial", "missing")  # labels; a call may also be unknown
CALLS = tuple(status.value for status in GapStatus)
# What a wrong call costs the consultant (label, call): a false ``covered`` hides a gap from an
# audit; a false ``missing`` or ``partial`` costs a look at the procedure. Thresholds are chosen
# for the least cost on the corpus clients.
COST = {
    ("missing", "covered"): 4.0,
    ("partial", "covered"): 2.0,
    ("missing", "partial"): 1.0,
    ("covered", "missing"): 1.0,
    ("covered", "partial"): 0.5,
    ("partial", "missing"): 0.5,
}


def labels() -> dict[str, dict[str, Any]]:
    """The corpus clients' labels: {org: {"org", "planted", "labels": {ref: call}, …}}."""
    data: dict[str, Any] = json.loads(LABELS.read_text(encoding="utf-8"))
    return {org: labelled for org, labelled in data.items() if not org.startswith("_")}


def heldout_labels() -> list[dict[str, Any]]:
    folders = sorted(p for p in HELDOUT.iterdir() if p.is_dir())
    return [json.loads((f / "labels.json").read_text(encoding="utf-8")) for f in folders]


def score(report: GapReport, labelled: dict[str, Any]) -> dict[str, Any]:
    """Calls against a label for every requirement: the matrix (label -> call -> count), the
    planted gaps' calls, the share of clauses labelled covered that are called so, and the
    cost of the calls (``COST``: a false ``covered`` is the costly mistake)."""
    calls = {item.ref: item.status.value for item in report.items}
    labels_by_ref: dict[str, str] = labelled["labels"]
    matrix = {label: dict.fromkeys(CALLS, 0) for label in STATUSES}
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
        "false_covered": sorted(
            ref for ref, label in labels_by_ref.items() if label != "covered" == calls[ref]
        ),
        "cost": sum(COST.get((label, calls[ref]), 0.0) for ref, label in labels_by_ref.items()),
    }


def print_scored(org: str, result: dict[str, Any]) -> None:
    print(
        f"\n{org}: agreement {result['agreement']:.3f}; labelled covered called covered "
        f"{result['covered_agreement']:.3f}; cost {result['cost']}; false covered "
        f"{result['false_covered']}; planted {result['planted']}"
    )
    print("| label \\ call | " + " | ".join(CALLS) + " |\n|---" + "|---" * len(CALLS) + "|")
    for label, row in result["matrix"].items():
        print(f"| {label} | " + " | ".join(str(row[call]) for call in CALLS) + " |")


def heldout(kb: KnowledgeBase) -> int:
    kb.ingest(sorted(HELDOUT.glob("*/*-QP-*.md")), progress=False)
    assessor = GapAssessor(kb)
    for labelled in heldout_labels():
        print_scored(labelled["org"], score(assessor.assess(labelled["org"]), labelled))
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
    for org, labelled in labels().items():
        started = time.perf_counter()
        report = assessor.assess(org)
        print_scored(org, score(report, labelled))
        print(f"report {report.counts()} in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
