"""评估: the latest evaluation reports (`make eval`) — metric tables, plots, worst questions."""

from __future__ import annotations

from typing import Any

import streamlit as st
from connection import call, client
from render import metric_tables

TABLE_TITLES = {"groups": "按数据集划分", "metrics": "指标", "configurations": "各配置对比"}


def worst_questions(items: list[dict[str, Any]]) -> None:
    st.subheader("表现最差的问题")
    for item in items:
        verdict = "拒答" if item.get("refused") else "作答"
        expected = "应拒答" if item.get("must_refuse") else "应作答"
        label = f"{item.get('id', '')} · {verdict}（{expected}） · {item.get('question', '')}"
        with st.expander(label):
            st.markdown(f"**问题：** {item.get('question', '')}")
            st.markdown(f"**回答：** {item.get('answer', '')}")
            if facts := item.get("key_facts"):
                st.markdown(
                    f"**应含要点：** {'、'.join(facts)}（命中 {item.get('facts_found', 0)}）"
                )
            for line in item.get("citations", []):
                st.caption(line)


def show_report_file(name: str, data: dict[str, Any]) -> None:
    st.header(name.removesuffix(".json"))
    if configuration := data.get("configuration"):
        st.caption(f"配置：{configuration}")
    for key, table in metric_tables(data).items():
        st.subheader(TABLE_TITLES.get(key, key))
        st.dataframe(table)
    if isinstance(data.get("worst"), list) and data["worst"]:
        worst_questions(data["worst"])


st.title("📊 评估")
st.caption("回答是否有据可依：引用精确率/召回率、忠实度、拒答表现与延迟。报告由 `make eval` 生成。")
reports = call(client().reports)
if not reports:
    st.info("还没有评估报告。在项目目录运行 `make eval` 后刷新本页。", icon="📭")
    st.stop()
labels = {r.id: r.created_at.astimezone().strftime("%Y-%m-%d %H:%M:%S") for r in reports}
report_id = st.selectbox("报告", list(labels), format_func=labels.__getitem__)
report = call(client().report, report_id)
for name, data in report.data.items():
    if isinstance(data, dict):
        show_report_file(name, data)
if report.plots:
    st.header("图表")
    columns = st.columns(2)
    for i, plot in enumerate(report.plots):
        columns[i % 2].image(call(client().plot, report.id, plot), caption=plot)
for name, text in report.markdown.items():
    with st.expander(f"原始报告 {name}"):
        st.markdown(text)
