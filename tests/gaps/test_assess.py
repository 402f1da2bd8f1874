"""Gap reports on the sample clients: planted gaps missing, what they cover covered, and
evidence only ever from the org being assessed."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from assistant.embedding.encoder import Encoder
from assistant.gaps import GapAssessor, to_markdown, to_xlsx
from assistant.knowledge import KnowledgeBase
from assistant.schema import GapReport, GapStatus
from evals.gaps import labels, score
from tests.conftest import CLIENTS_DIR, CORPUS_DIR, make_settings


@pytest.fixture(scope="module")
def assessor(tmp_path_factory: pytest.TempPathFactory, encoder: Encoder) -> GapAssessor:
    kb = KnowledgeBase(make_settings(tmp_path_factory.mktemp("gaps") / "data"), encoder)
    report = kb.ingest(
        [CLIENTS_DIR, CORPUS_DIR / "procedures" / "huarui" / "HR-QP-10.md"],
        progress=False,
    )
    assert not report.failed
    return GapAssessor(kb)


@pytest.fixture(scope="module")
def reports(assessor: GapAssessor) -> dict[str, GapReport]:
    return {org: assessor.assess(org) for org in ("hengli", "jinglian", "huarui")}


def test_every_clause_and_obligation_is_judged(reports: dict[str, GapReport]) -> None:
    refs = [item.ref for item in reports["hengli"].items]
    assert refs[0] == "4.1" and "10.3" in refs and "7.1.5" in refs and "8.5.6" in refs
    assert "7.1.5.1" not in refs and "4" not in refs  # two and three levels only
    assert [r for r in refs if r.startswith("XK-")] == [f"XK-{i}" for i in range(1, 8)]
    for item in reports["hengli"].items:
        assert item.reason
        assert bool(item.evidence) == (item.status is not GapStatus.missing)


def test_planted_gaps_are_missing_and_covered_clauses_covered(
    reports: dict[str, GapReport],
) -> None:
    for org, expected in labels().items():
        result = score(reports[org], expected)
        planted = [w for w in result["wrong"] if w["expected"] == "missing"]
        assert not planted, (org, planted)
        assert result["accuracy"] >= 0.9, (org, result["wrong"])


def test_a_licence_procedure_is_found(reports: dict[str, GapReport]) -> None:
    """The same obligations hengli lacks are covered where a licence procedure exists."""
    xk = {i.ref: i for i in reports["huarui"].items if i.framework == "XK"}
    for ref in ("XK-1", "XK-2", "XK-3", "XK-4", "XK-5"):
        assert xk[ref].status is GapStatus.covered, xk[ref]
        assert {h.doc_id for h in xk[ref].evidence} == {"HR-QP-10"}


def test_evidence_never_leaves_the_org(reports: dict[str, GapReport]) -> None:
    for org, report in reports.items():
        orgs = {hit.org for item in report.items for hit in item.evidence}
        assert orgs <= {org}, (org, orgs)


def test_exports(reports: dict[str, GapReport], tmp_path: Path) -> None:
    report = reports["hengli"]
    markdown = to_markdown(report, "恒力起重机械配件有限公司")
    assert markdown.startswith("# 差距分析报告：恒力起重机械配件有限公司")
    assert "| ISO9001 | 9.3 | 管理评审 | 缺失 |" in markdown
    sheet = load_workbook(io.BytesIO(to_xlsx(report))).active
    assert sheet is not None
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert len(rows) == len(report.items)
    assert rows[[r[1] for r in rows].index("9.3")][:4] == ("ISO9001", "9.3", "管理评审", "缺失")


DESIGN_ONLY = """---
id: PB-QP-01
title: 设计开发控制程序
kind: procedure
org: probe
---

# PB-QP-01 设计开发控制程序

## 3 职责

- 总工程师：批准开发计划，主持设计评审，签发评审报告。
- 技术部：编写开发计划书，整理评审意见和评审报告。

## 4 工作程序

每个项目按开发计划分阶段进行设计评审，评审报告由技术部归档，管理部门汇总各项目计划的进度。
"""


def test_shared_words_do_not_meet_a_clause_that_is_never_named(
    tmp_path: Path, encoder: Encoder
) -> None:
    """评审、计划、报告 and 管理 all appear, 管理评审 never: 9.3's records are named after it."""
    (tmp_path / "PB-QP-01.md").write_text(DESIGN_ONLY, encoding="utf-8")
    kb = KnowledgeBase(make_settings(tmp_path / "data"), encoder)
    assert not kb.ingest([tmp_path / "PB-QP-01.md"], progress=False).failed
    items = {item.ref: item for item in GapAssessor(kb).assess("probe").items}
    assert items["9.3"].status is GapStatus.missing
    assert items["8.3"].status is not GapStatus.missing  # the design clause it does meet
