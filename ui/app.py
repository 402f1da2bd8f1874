"""CertGuide 认证助手 — Streamlit front end, a thin client of the API (CERTGUIDE_API_URL)."""

from __future__ import annotations

import streamlit as st
from connection import signed_in_as

st.set_page_config(page_title="CertGuide 认证助手", page_icon="📑", layout="wide")

navigation = st.navigation(
    {
        "助手": [st.Page("views/chat.py", title="问答", icon="💬", default=True)],
        "资料": [st.Page("views/documents.py", title="文档库", icon="📚")],
        "咨询": [st.Page("views/clients.py", title="客户", icon="🏢")],
        "培训": [st.Page("views/quiz.py", title="题库", icon="📝")],
        "质量": [st.Page("views/evaluation.py", title="评估", icon="📊")],
    }
)
with st.sidebar:
    st.caption("CertGuide 认证助手 · 回答均附出处")
    signed_in_as()
navigation.run()
