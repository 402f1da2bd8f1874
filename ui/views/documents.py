"""文档库: what is indexed, upload with per-file results, browse by article/clause, delete."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from connection import call, client, describe, ready_chunks
from render import kind_label, org_label

from assistant.client import APIRequestError, APIUnavailable
from assistant.schema import DocumentRecord, Kind

UPLOAD_TYPES = ["md", "markdown", "txt", "docx", "pdf", "html", "htm"]
STATUS_LABELS = {"added": "已新增", "updated": "已更新", "unchanged": "内容未变，跳过"}
ALL_REFS = "（全文）"


def document_table(documents: list[DocumentRecord]) -> None:
    rows = [
        {
            "标题": d.title,
            "类别": kind_label(d.kind),
            "组织": org_label(d.org),
            "片段数": d.chunk_count,
            "入库时间": d.ingested_at[:19].replace("T", " "),
            "文档 ID": d.doc_id,
        }
        for d in documents
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True)


def upload_kind_label(kind: Kind | None) -> str:
    return "自动识别" if kind is None else kind_label(kind)


def upload_section() -> None:
    with st.expander("⬆️ 上传文件", expanded=False):
        with st.form("upload", clear_on_submit=True):
            files = st.file_uploader(
                "选择文件（md、txt、docx、pdf、html，可多选）",
                type=UPLOAD_TYPES,
                accept_multiple_files=True,
            )
            left, right = st.columns(2)
            kind = left.selectbox("类别", [None, *Kind], format_func=upload_kind_label)
            org = right.text_input("所属组织 ID（留空 = 自动，例如 huarui）", max_chars=64)
            submitted = st.form_submit_button("开始入库", type="primary")
        if not submitted:
            return
        if not files:
            st.warning("请先选择要上传的文件。")
            return
        progress = st.progress(0.0, text="准备入库…")
        for i, file in enumerate(files, start=1):
            step = f"正在入库 {file.name}（{i}/{len(files)}）…"
            progress.progress((i - 1) / len(files), text=step)
            try:
                result = client().upload(file.name, file.getvalue(), kind, org.strip() or None)
            except (APIUnavailable, APIRequestError) as exc:
                st.error(f"{file.name}：{describe(exc)}", icon="🚫")
                continue
            st.success(
                f"{file.name}：{STATUS_LABELS[result.status]}"
                f"（《{result.document.title}》，{result.document.chunk_count} 个片段）",
                icon="✅",
            )
        progress.progress(1.0, text="入库完成")


def browse(documents: list[DocumentRecord]) -> None:
    titles = {d.doc_id: f"{d.title}（{kind_label(d.kind)}）" for d in documents}
    doc_id = st.selectbox(
        "打开文档",
        list(titles),
        index=None,
        format_func=titles.__getitem__,
        placeholder="选择文档…",
        key="open-document",
    )
    if doc_id is None:
        return
    detail = call(client().document, doc_id)
    record = detail.document
    st.subheader(f"《{record.title}》")
    st.caption(
        f"{kind_label(record.kind)} · {org_label(record.org)} · {record.chunk_count} 个片段"
        + (f" · 版本 {record.version}" if record.version else "")
        + (f" · 来源 {record.source}" if record.source else "")
    )
    refs = list(dict.fromkeys(c.ref for c in detail.chunks if c.ref))
    chosen = st.selectbox("定位到条款 / 章节", [ALL_REFS, *refs], key=f"ref-{doc_id}")
    for chunk in detail.chunks:
        if chosen in (ALL_REFS, chunk.ref):
            heading = (
                chunk.section
                if chunk.section.startswith(chunk.ref)
                else " ".join(part for part in (chunk.ref, chunk.section) if part)
            )
            with st.container(border=True):
                if heading:
                    st.markdown(f"**{heading}**")
                st.markdown(chunk.text)
    delete_section(record)


def delete(record: DocumentRecord) -> None:
    """Button callback: runs before the page re-renders, so the selection can be cleared."""
    try:
        client().delete_document(record.doc_id)
    except (APIUnavailable, APIRequestError) as exc:
        st.session_state.flash = ("error", describe(exc))
        return
    st.session_state.flash = ("success", f"已删除《{record.title}》。")
    st.session_state["open-document"] = None


def delete_section(record: DocumentRecord) -> None:
    with st.expander("🗑️ 删除此文档"):
        confirmed = st.checkbox(
            f"我确认删除《{record.title}》及其全部片段（不可恢复）", key=f"confirm-{record.doc_id}"
        )
        st.button(
            "删除",
            type="primary",
            disabled=not confirmed,
            key=f"delete-{record.doc_id}",
            on_click=delete,
            args=(record,),
        )


st.title("📚 文档库")
if flash := st.session_state.pop("flash", None):
    level, message = flash
    (st.success if level == "success" else st.error)(message)
ready_chunks()
upload_section()
kind_filter = st.segmented_control(
    "类别", list(Kind), format_func=kind_label, selection_mode="single", key="kind-filter"
)
documents = call(client().documents, kind_filter)
if not documents:
    st.info("还没有文档。用上面的「上传文件」添加法规、标准摘要、指南或程序文件。", icon="📭")
    st.stop()
st.caption(f"共 {len(documents)} 份文档，{sum(d.chunk_count for d in documents)} 个片段")
document_table(documents)
browse(documents)
