"""CertGuide 认证助手 — Streamlit front end, a thin client of the API (CERTGUIDE_API_URL)."""

from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="CertGuide 认证助手", page_icon="📑", layout="wide")

# 客户 (client workspaces) joins these sections when it lands.
navigation = st.navigation(
    {
        "助手": [st.Page("views/chat.py", title="问答", icon="💬", default=True)],
        "资料": [st.Page("views/documents.py", title="文档库", icon="📚")],
        "培训": [st.Page("views/quiz.py", title="题库", icon="📝")],
        "质量": [st.Page("views/evaluation.py", title="评估", icon="📊")],
    }
)
st.sidebar.caption("CertGuide 认证助手 · 回答均附出处")
navigation.run()
