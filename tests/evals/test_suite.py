"""The suite compares configurations in one report, and its gate says what fails."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assistant.cli import build_parser
from assistant.knowledge import KnowledgeBase
from evals.suite import (
    GATE,
    gate_failures,
    intervals,
    run_suite,
    summary_markdown,
    to_markdown,
    wilson_interval,
)
from tests.conftest import requires_regulations


def test_gate_failures() -> None:
    passing = {"recall@5": 0.95, "faithfulness": 1.0, "citation_precision": 0.95,
               "negative_rejection": 0.9, "false_refusal": 0.05}  # fmt: skip
    assert gate_failures(passing) == []
    failing = {**passing, "negative_rejection": 0.8, "false_refusal": 0.2}
    assert gate_failures(failing) == [
        "negative_rejection 0.800 < 0.85",
        "false_refusal 0.200 > 0.1",
    ]
    assert gate_failures({"false_refusal": 0.05}) == []  # absent metrics are not judged
    assert set(GATE) == set(passing)


def test_wilson_interval() -> None:
    assert wilson_interval(0.5, 100) == pytest.approx((0.4038, 0.5962), abs=1e-4)
    low, high = wilson_interval(57 / 70, 70)  # a gate-sized must-refuse set
    assert 0.70 < low < 0.72 and 0.88 < high < 0.90
    assert wilson_interval(1.0, 10)[1] == 1.0 and wilson_interval(0.0, 10)[0] == 0.0
    assert wilson_interval(0.3, 0) == (0.0, 1.0)
    got = intervals({"negative_rejection": 0.8, "must_refuse": 70, "faithfulness": 1.0})
    assert set(got) == {"negative_rejection"}  # only shares of a known number of questions


def test_cli_eval_arguments() -> None:
    args = build_parser().parse_args(["eval", "--fast", "--config", "dense", "lexical"])
    assert args.fast and args.config == ["dense", "lexical"] and args.func.__name__ == "cmd_eval"


@pytest.fixture(scope="module")
def report_on_test_split(
    corpus_kb: KnowledgeBase, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    """The CI subset (`certguide eval --fast`) plus lexical and the unconfigured LLM."""
    out_root = tmp_path_factory.mktemp("reports")
    return run_suite(corpus_kb, ["hybrid", "lexical", "llm"], "test", False, out_root)


@requires_regulations  # the gate is set on the whole test split, official texts included
def test_ci_gate_on_the_test_split(report_on_test_split: dict[str, Any]) -> None:
    """The issue's gate: R@5 ≥ 0.90, faithfulness ≥ 0.95, citation precision ≥ 0.90,
    negative rejection ≥ 0.85, false refusal ≤ 0.10 for the hybrid answerer."""
    hybrid = report_on_test_split["configs"]["hybrid"]
    assert set(GATE) <= set(hybrid)
    assert report_on_test_split["gate"]["hybrid"] == [], summary_markdown(report_on_test_split)


def test_configurations_side_by_side(report_on_test_split: dict[str, Any]) -> None:
    report = report_on_test_split
    out_dir = Path(report["out_dir"])
    assert set(report["configs"]) == {"hybrid", "lexical"}
    assert report["skipped"] and report["skipped"][0].startswith("llm")
    hybrid, lexical = report["configs"]["hybrid"], report["configs"]["lexical"]
    assert hybrid["recall@5"] >= 0.90 and hybrid["ndcg@5"] > lexical["ndcg@5"]
    assert hybrid["faithfulness"] >= 0.95 and hybrid["citation_precision"] >= 0.90
    saved = json.loads((out_dir / "report.json").read_text(encoding="utf-8"))
    assert saved["gate"] == report["gate"]
    low, high = saved["intervals"]["hybrid"]["negative_rejection"]
    assert low <= hybrid["negative_rejection"] <= high and high - low > 0.05
    markdown = (out_dir / "report.md").read_text(encoding="utf-8")
    assert markdown == to_markdown(report) and "| metric | hybrid | lexical | gate |" in markdown
    assert (out_dir / "configurations.png").stat().st_size > 1000
    assert (out_dir / "latency.png").stat().st_size > 1000
