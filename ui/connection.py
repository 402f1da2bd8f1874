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


@st.cache_resource
def _client(base_url: str, timeout: float) -> CertGuideClient:
    return CertGuideClient(base_url, timeout=timeout)


def client() -> CertGuideClient:
    settings = Settings()
    return _client(settings.api_url, settings.api_timeout_seconds)


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
    """Stop the page with a clear message when the API is down; else the index size."""
    return int(call(client().ready)["chunks"])
