"""The suite compares configurations in one report, and its gate (on the held-out split,
by Wilson bounds) says what fails."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.cli import build_parser
from assistant.embedding.encoder import Encoder
from assistant.knowledge import KnowledgeBase
from evals import gate
from evals.retrieval import build_eval_index
from evals.suite import available, local_llm, run_suite, summary_markdown, to_markdown
from tests.conftest import make_settings, requires_regulations

COUNTS = {"key_facts": 400, "must_refuse": 100, "answerable": 200, "retrieved": 220}


def test_gate_reads_the_wilson_bound() -> None:
    passing = {"key_facts_cited": 0.95, "negative_rejection": 0.97, "false_refusal": 0.02,
               "recall@5": 1.0, **COUNTS}  # fmt: skip
    assert gate.gate_failures(passing) == [] and gate.targets_missed(passing) == []
    # 0.74 of 100 is above the 0.70 floor, but its lower bound (0.646) is not
    floor = gate.GATE["negative_rejection"].floor
    failing = {**passing, "negative_rejection": 0.74, "false_refusal": 0.08}
    assert failing["negative_rejection"] > floor > gate.judged(failing, "negative_rejection")
    failures = gate.gate_failures(failing)
    assert [f.split()[0] for f in failures] == ["negative_rejection", "false_refusal"]
    assert "Wilson lower 0.646" in failures[0] and f"< floor {floor}" in failures[0]
    assert "Wilson upper" in failures[1]
    # the same share of more questions is a narrower interval, and passes
    assert gate.judged({**failing, "must_refuse": 2000}, "negative_rejection") > floor
    assert gate.gate_failures({"false_refusal": 0.05}) == []  # no count: not judged
    assert set(gate.GATE) == {n for n in passing if n not in COUNTS}


def test_wilson_interval() -> None:
    assert gate.wilson_interval(0.5, 100) == pytest.approx((0.4038, 0.5962), abs=1e-4)
    low, high = gate.wilson_interval(57 / 70, 70)
    assert 0.70 < low < 0.72 and 0.88 < high < 0.90
    assert gate.wilson_interval(1.0, 10)[1] == 1.0 and gate.wilson_interval(0.0, 10)[0] == 0.0
    assert gate.wilson_interval(0.3, 0) == (0.0, 1.0)


def test_cli_passes_eval_options_to_the_suite() -> None:
    args, rest = build_parser().parse_known_args(["eval", "--fast", "--config", "dense"])
    assert args.func.__name__ == "cmd_eval" and rest == ["--fast", "--config", "dense"]


@pytest.fixture(scope="module")
def heldout_kb(
    tmp_path_factory: pytest.TempPathFactory, encoder: Encoder
) -> Iterator[KnowledgeBase]:
    """Every org's documents (the held-out items are asked as each item's asker)."""
    data_dir = tmp_path_factory.mktemp("heldout") / "data"
    yield build_eval_index(data_dir, make_settings(data_dir), with_clients=True)


@pytest.fixture(scope="module")
def report(
    corpus_kb: KnowledgeBase, heldout_kb: KnowledgeBase, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    """The gate (what `certguide eval --fast` runs in CI) plus hybrid and lexical on a dev
    subset, and the unconfigured LLM skipped."""
    out_root = tmp_path_factory.mktemp("reports")
    return run_suite(corpus_kb, ["hybrid", "lexical", "llm"], heldout_kb, 20, False, out_root)


@requires_regulations  # the gate is set on the whole held-out split, official texts included
def test_ci_gate_on_the_heldout_split(report: dict[str, Any]) -> None:
    scored = report["gate"]
    assert set(gate.GATE) <= set(scored["intervals"])
    assert scored["values"]["answerable"] >= 150 and scored["values"]["must_refuse"] >= 80
    assert set(scored["by_category"]) == {
        "out_of_scope", "other_standard", "false_premise", "absent_fact"
    }  # fmt: skip
    assert scored["failures"] == [], summary_markdown(report)


def test_configurations_side_by_side(report: dict[str, Any]) -> None:
    out_dir = Path(report["out_dir"])
    assert set(report["configs"]) == {"hybrid", "lexical"}
    assert report["skipped"] and report["skipped"][0].startswith("llm")
    hybrid, lexical = report["configs"]["hybrid"], report["configs"]["lexical"]
    assert hybrid["mrr"] >= lexical["mrr"] and hybrid["answerable"] == 20
    saved = json.loads((out_dir / "report.json").read_text(encoding="utf-8"))
    assert saved["gate"]["failures"] == report["gate"]["failures"]
    low, high = saved["intervals"]["hybrid"]["negative_rejection"]
    assert low <= hybrid["negative_rejection"] <= high and high - low > 0.05
    markdown = (out_dir / "report.md").read_text(encoding="utf-8")
    assert markdown == to_markdown(report) and "| metric | hybrid | lexical |" in markdown
    assert "faithfulness | 1.000 (by construction)" in markdown  # reported, never gated
    assert "| negative_rejection |" in markdown.split("## Configurations")[0]  # the gate table
    assert (out_dir / "configurations.png").stat().st_size > 1000
    assert (out_dir / "latency.png").stat().st_size > 1000


def test_no_local_llm_leaves_the_llm_configuration_skipped(tmp_path: Path) -> None:
    """Without a built model (``make llm``) the suite starts nothing and skips the llm run."""
    settings = make_settings(tmp_path / "data").model_copy(
        update={"models_dir": tmp_path, "llm_base_url": ""}
    )
    with local_llm(settings) as used:
        assert used.llm_base_url == ""
    configs, skipped = available(["hybrid", "llm"], settings)
    assert [c.name for c in configs] == ["hybrid"] and skipped[0].startswith("llm")
