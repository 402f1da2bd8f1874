"""How sources, documents and metrics look, shared by the pages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st

from assistant.answer.schema import Citation, Reply
from assistant.schema import Hit, Kind

KIND_LABELS: dict[Kind, str] = {
    Kind.regulation: "法规",
    Kind.standard: "标准条款",
    Kind.guide: "指南",
    Kind.procedure: "程序文件",
}
ORG_LABELS = {"public": "公共资料"}

METRIC_LABELS = {
    "answerable": "可答题数",
    "must_refuse": "应拒答题数",
    "key_facts": "要点数",
    "key_fact_recall": "要点召回",
    "key_facts_cited": "要点答对并引用",
    "citation_precision": "引用精确率",
    "citation_recall": "引用召回率",
    "faithfulness": "忠实度",
    "negative_rejection": "应拒答拒答率",
    "false_refusal": "误拒率",
    "latency_p50_ms": "延迟 p50 (ms)",
    "latency_p95_ms": "延迟 p95 (ms)",
    "recall@1": "召回@1",
    "recall@5": "召回@5",
    "mrr": "MRR",
    "ndcg@5": "nDCG@5",
}


SPLIT_LABELS = {"all": "全部", "dev": "开发集", "heldout": "留出集"}


def row_label(row: str) -> str:
    """``split=dev`` → 开发集, ``kind=guide`` → 类别：指南; other rows unchanged."""
    name, _, value = row.partition("=")
    if name == "split" or (not value and name in SPLIT_LABELS):
        return SPLIT_LABELS.get(value or name, row)
    if name == "kind" and value:
        return f"类别：{kind_label(value)}"
    return row


def kind_label(kind: Kind | str) -> str:
    return KIND_LABELS.get(Kind(kind), str(kind)) if kind in Kind.__members__ else str(kind)


def org_label(org: str) -> str:
    """「公共资料」, or the org's name as the API gave it to this user (``ready_chunks``)."""
    return ORG_LABELS.get(org) or st.session_state.get("org_names", {}).get(org, org)


def source_label(hit: Hit) -> str:
    return f"《{hit.title}》 {hit.ref}".strip()


def citation(item: Citation) -> None:
    """One ``[n]`` marker, expandable to its source and passage."""
    with st.expander(f"[{item.n}] {source_label(item)} ｜ {org_label(item.org)}"):
        where = " · ".join(
            part
            for part in (kind_label(item.kind), org_label(item.org), item.section, item.doc_id)
            if part
        )
        st.caption(where)
        st.markdown(item.text)


def reply(answer: Reply) -> None:
    """The citations (and refusal notice) that follow an answer's text."""
    if answer.refused:
        st.warning("资料中没有足以支撑回答的内容，因此不作回答。以下是最接近的资料。", icon="⚠️")
    for item in answer.citations:
        citation(item)
    if answer.warnings and not answer.refused:
        st.caption("；".join(answer.warnings))
    st.caption(f"检索范围：{scope_label(answer.scope)}")


def scope_label(scope: list[str] | None) -> str:
    """The orgs an answer drew on, its own company first: 「华瑞线缆 + 公共资料」."""
    if scope is None:
        return "全部组织"
    return " + ".join(org_label(org) for org in sorted(scope, key=lambda o: o == "public"))


def metric_tables(data: Mapping[str, Any]) -> dict[str, pd.DataFrame]:
    """Every ``{row: {metric: number}}`` block of a report, as a table with Chinese headers."""
    tables: dict[str, pd.DataFrame] = {}
    for key, value in data.items():
        if not isinstance(value, Mapping) or not value:
            continue
        rows = {
            row_label(str(row)): {
                METRIC_LABELS.get(m, m): v for m, v in cells.items() if isinstance(v, int | float)
            }
            for row, cells in value.items()
            if isinstance(cells, Mapping)
        }
        rows = {row: cells for row, cells in rows.items() if cells}
        if rows:
            tables[key] = pd.DataFrame.from_dict(rows, orient="index").round(3)
    return tables
