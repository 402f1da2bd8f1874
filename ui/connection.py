"""The UI's one connection to the API, and errors turned into Chinese messages."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st

from assistant.client import APIRequestError, APIUnavailable, CertGuideClient
from assistant.settings import Settings

T = TypeVar("T")

_CODE_MESSAGES = {
    "not_found": "找不到该内容，可能已被删除。",
    "too_large": "文件或请求过大。",
    "unsupported_media_type": "不支持的文件类型，请上传 md、txt、docx、pdf 或 html 文件。",
    "bad_file": "文件无法入库。",
    "invalid_request": "请求无效，请检查输入。",
    "unavailable": "服务暂时不可用，请稍后再试。",
    "conflict": "操作冲突，请刷新后重试。",
    "empty_selection": "所选范围内没有资料，请调整文档、类别或条款范围。",
    "not_enough_sources": "所选资料不够出这么多题，请减少题量或扩大范围。",
    "bad_ref": "无法识别条款范围，请按「第五条-第十条」「7.1-7.5」「HR-QP-05 §4.1-4.5」填写。",
    "unknown_format": "不支持的导出格式。",
    "unauthorized": "需要有效的 API 密钥（密钥无效或已被吊销）。",
    "forbidden": "你的角色无权执行此操作。",
}
# Known ingest problems (the API's English detail) → what a user can act on.
_DETAIL_MESSAGES = (
    (re.compile(r"file is empty"), "文件是空的。"),
    (re.compile(r"binary file"), "看起来是二进制文件，不是文本。"),
    (re.compile(r"text encoding"), "无法识别文本编码（支持 UTF-8、UTF-16、GB18030/GBK）。"),
    (re.compile(r"no text layer"), "PDF 没有文字层（扫描件暂不支持，请先做文字识别）。"),
    (re.compile(r"too large|larger than"), "文件超过大小上限。"),
    (re.compile(r"cannot read PDF|cannot read \.docx"), "文件已损坏或格式不正确。"),
    (re.compile(r"no text"), "文件里没有可检索的文字。"),
)


def client() -> CertGuideClient:
    """This browser session's client: keys differ per user, so nothing is shared."""
    settings = Settings()
    key = st.session_state.get("api_key") or settings.api_key
    wanted = (settings.api_url, key)
    if st.session_state.get("client_for") != wanted:
        st.session_state.client = CertGuideClient(
            settings.api_url, timeout=settings.api_timeout_seconds, api_key=key
        )
        st.session_state.client_for = wanted
    found: CertGuideClient = st.session_state.client
    return found


def key_form() -> None:
    """Where a user enters (or changes) their API key; kept for this browser session."""
    with st.form("api-key", border=False):
        key = st.text_input("API 密钥", type="password", placeholder="cg_…")
        if st.form_submit_button("使用此密钥") and key.strip():
            st.session_state.api_key = key.strip()
            st.rerun()


def describe(exc: Exception) -> str:
    """A Chinese message for an API error, with the server's detail when it helps."""
    if isinstance(exc, APIUnavailable):
        return (
            f"无法连接到 CertGuide 服务（{client().base_url}）。"
            "请确认 API 已启动（`make run`），然后刷新页面。"
        )
    if isinstance(exc, APIRequestError):
        for pattern, message in _DETAIL_MESSAGES:
            if pattern.search(exc.message):
                return f"{_CODE_MESSAGES.get(exc.code, '操作失败。')}{message}"
        return f"{_CODE_MESSAGES.get(exc.code, '操作失败。')}（{exc.status}：{exc.message}）"
    return f"出现意外错误：{type(exc).__name__}"


def call(action: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run an API call; on failure show the Chinese message and end this page run."""
    try:
        return action(*args, **kwargs)
    except (APIUnavailable, APIRequestError) as exc:
        st.error(describe(exc), icon="🚫")
        st.stop()


def ready_chunks() -> int:
    """Stop the page with a clear message when the API is down or the key is not accepted;
    else the index size."""
    chunks = int(call(client().ready)["chunks"])
    try:
        me = client().me()
    except APIRequestError as exc:
        if exc.status != 401:
            raise
        st.warning(describe(exc) + "请向管理员索取密钥，在下方输入。", icon="🔑")
        key_form()
        st.stop()
    # the pages label orgs by name (华瑞线缆), not by id (huarui)
    st.session_state.org_names = {o.id: o.name for o in me.orgs if o.name}
    return chunks


ROLE_LABELS = {"staff": "员工", "trainer": "培训师", "consultant": "顾问", "admin": "管理员"}


def signed_in_as() -> None:
    """Who is using the app (sidebar), with a way to switch keys."""
    try:
        me = client().me()
    except (APIUnavailable, APIRequestError):
        return  # the page itself explains what is wrong
    st.caption(f"当前用户：{me.name}（{ROLE_LABELS.get(me.role, me.role)}）")
    with st.expander("切换 API 密钥"):
        key_form()
