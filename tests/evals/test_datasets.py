"""Datasets written from the documents keep the official texts out, and the answerability
training set is what the trainer expects."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from evals.answers import DATASETS
from tests.conftest import requires_regulations
from tests.copycheck import copied_runs

WRITTEN_FROM_DOCUMENTS = sorted((DATASETS / "answerability").glob("*.jsonl")) + sorted(
    (DATASETS / "heldout").glob("*.jsonl")
)
CATEGORIES = {"absent_fact", "false_premise", "other_standard", "other_org", "out_of_scope"}


def _rows(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    return []


@requires_regulations
@pytest.mark.parametrize("path", WRITTEN_FROM_DOCUMENTS, ids=lambda p: p.name)
def test_no_official_text_in_the_datasets(path: Path) -> None:
    copied = [
        f"{row['id']}: {run}"
        for row in _rows(path)
        for text in _strings(row)
        for run in sorted(copied_runs(text))[:1]
    ]
    assert not copied, "\n".join(copied[:10])


def test_generated_set_is_balanced_by_writer_and_label() -> None:
    rows = _rows(DATASETS / "answerability" / "generated.jsonl")
    assert len(rows) >= 2000 and len({r["id"] for r in rows}) == len(rows)
    assert {r["label"] for r in rows} == {"answerable", "refuse"}
    labels = Counter(r["label"] for r in rows)
    assert abs(labels["answerable"] - labels["refuse"]) <= 20
    categories = Counter(r["category"] for r in rows if r["label"] == "refuse")
    assert set(categories) == CATEGORIES and min(categories.values()) >= 150
    assert {r["writer"] for r in rows} == {f"g{k}" for k in range(6)}
    for row in rows:
        assert row["asker"] in ("staff", "consultant") and row["org"], row["id"]


GAP_HELDOUT = DATASETS / "gap_heldout"


@requires_regulations
@pytest.mark.parametrize("path", sorted(GAP_HELDOUT.glob("*/*-QP-*.md")), ids=lambda p: p.name)
def test_blind_client_procedures_are_in_our_own_words(path: Path) -> None:
    assert not copied_runs(path.read_text(encoding="utf-8"))


def labels_every_requirement(labelled: dict[str, Any]) -> None:
    from assistant.gaps import load_requirements

    refs = [r.ref for r in load_requirements().all]
    assert sorted(labelled["labels"]) == sorted(refs)
    assert set(labelled["labels"].values()) <= {"covered", "partial", "missing"}
    assert all(labelled["labels"][ref] == "missing" for ref in labelled["planted"])


@pytest.mark.parametrize("org", ["hengli", "jinglian"])
def test_corpus_clients_label_every_requirement(org: str) -> None:
    from evals.gaps import labels

    labels_every_requirement(labels()[org])
    assert set(labels()) == {"hengli", "jinglian"}


@pytest.mark.parametrize("folder", sorted(p for p in GAP_HELDOUT.iterdir() if p.is_dir()))
def test_blind_clients_label_every_requirement(folder: Path) -> None:
    labelled = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
    labels_every_requirement(labelled)
    procedures = sorted(folder.glob("*-QP-*.md"))
    assert 10 <= len(procedures) <= 14
    assert all(f"org: {labelled['org']}\n" in p.read_text(encoding="utf-8") for p in procedures)
