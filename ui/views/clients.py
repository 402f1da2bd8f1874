"""客户: a consultant's client workspace — ask about the client's procedures, and its gap
report against ISO 9001 and the XK rules (view and download)."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from connection import call, client, ready_chunks
from render import reply

from assistant.api.schemas import Filters
from assistant.gaps.export import FORMATS, quoted
from assistant.schema import DEFAULT_ORG, GapReport, GapStatus

DOWNLOADS = (("下载 Markdown", "md"), ("下载 Excel", "xlsx"), ("下载 Word", "docx"))
STATUS_LABELS = {
    GapStatus.covered: "✅ 已覆盖",
    GapStatus.partial: "🟡 部分覆盖",
    GapStatus.missing: "❌ 缺失",
    GapStatus.unknown: "❔ 无法判断",
}


def gap_section(org: str, name: str) -> None:
    reports: dict[str, GapReport] = st.session_state.setdefault("gap_reports", {})
    if st.button("生成差距分析报告", type="primary", key=f"gaps-{org}"):
        with st.spinner("正在逐条比对 ISO 9001 条款和生产许可证要求…"):
            reports[org] = call(client().gap_report, org)
    report = reports.get(org)
    if report is None:
        st.caption(
            "逐条核对 ISO 9001 第 4.1–10.3 条和生产许可证的关键义务，只检索该客户自己的文件。"
        )
        return
    counts = report.counts()
    columns = st.columns(len(GapStatus))
    for column, status in zip(columns, GapStatus, strict=True):
        column.metric(STATUS_LABELS[status], counts[status.value])
    shown = st.multiselect(
        "显示", list(GapStatus), default=[GapStatus.missing, GapStatus.partial, GapStatus.unknown],
        format_func=STATUS_LABELS.__getitem__, key=f"shown-{org}",
    )  # fmt: skip
    rows = [
        {
            "体系": item.framework,
            "条款": item.ref,
            "要求": item.title,
            "结论": STATUS_LABELS[item.status],
            "依据原文": quoted(item) or "—",
            "说明": item.reason,
        }
        for item in report.items
        if item.status in shown
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True)
    for column, (label, file_format) in zip(st.columns(len(DOWNLOADS)), DOWNLOADS, strict=True):
        column.download_button(
            label, call(client().gap_report_file, org, file_format),
            file_name=f"gap-report-{org}.{file_format}",
            mime=FORMATS[file_format].media_type, key=f"download-{file_format}-{org}",
        )  # fmt: skip
    st.caption(f"{name}：共 {len(report.items)} 项要求。")


def question_section(org: str) -> None:
    with st.form(f"ask-{org}"):
        question = st.text_input(
            "关于该客户程序文件的问题", placeholder="例如：内部审核多久做一次？"
        )
        with_public = st.checkbox("同时参考法规、标准等公共资料", value=False)
        asked = st.form_submit_button("提问")
    if asked and question.strip():
        orgs = [org, DEFAULT_ORG] if with_public else [org]
        answer = call(client().ask, question.strip(), org=org, filters=Filters(orgs=orgs))
        st.markdown(answer.answer)
        reply(answer)


st.title("🏢 客户")
ready_chunks()
me = call(client().me)
clients = [o for o in me.orgs if o.id != DEFAULT_ORG]
if not clients:
    st.info(
        "你还没有被分配客户。请管理员用 `certguide users add … --orgs 客户ID` 分配。", icon="📭"
    )
    st.stop()
names = {o.id: o.name for o in clients}
org = st.selectbox("客户", list(names), format_func=lambda o: f"{names[o]}（{o}）")
asking, gaps = st.tabs(["问答", "差距分析"])
with asking:
    question_section(org)
with gaps:
    gap_section(org, names[org])
