"""问答 page through Streamlit's AppTest, against a real API server."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from assistant.conversations import feedback
from tests.server import api_server, free_port
from tests.ui.conftest import UI_DIR, Stack

PAGE = str(UI_DIR / "views" / "chat.py")
TIMEOUT = 120


def open_page() -> AppTest:
    page = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    page.run()
    assert not page.exception, page.exception
    return page


def ask(page: AppTest, question: str) -> None:
    page.chat_input[0].set_value(question).run()
    assert not page.exception, page.exception
    assert not page.error, [e.value for e in page.error]


def assistant_text(page: AppTest, index: int = -1) -> str:
    message = [m for m in page.chat_message if m.name == "assistant"][index]
    return "\n".join(md.value for md in message.markdown)


def expander_labels(page: AppTest) -> list[str]:
    return [e.label for e in page.expander]


def test_first_visit_offers_examples_and_answers_one(api_url: str) -> None:
    page = open_page()
    examples = [b for b in page.button if b.key and b.key.startswith("example-")]
    assert len(examples) == 4
    examples[0].click().run()
    assert not page.exception
    assert "5年" in assistant_text(page)
    assert not [b for b in page.button if b.key and b.key.startswith("example-")]


def test_answer_cites_sources_and_follow_up_keeps_the_conversation(
    api_url: str, stack: Stack
) -> None:
    page = open_page()
    ask(page, "生产许可证有效期几年？")
    answer = assistant_text(page)
    assert "5年" in answer and "[1]" in answer
    citations = [e for e in page.expander if e.label.startswith("[1]")]
    assert citations, expander_labels(page)
    passage = "\n".join(md.value for md in citations[0].markdown)
    assert "有效期" in passage
    first_conversation = page.session_state["conversation_id"]

    ask(page, "那到期前多久要申请延续？")
    assert page.session_state["conversation_id"] == first_conversation
    assert "6个月" in assistant_text(page)
    stored = stack.conversations().get(first_conversation)
    assert [t.question for t in stored.turns] == [
        "生产许可证有效期几年？",
        "那到期前多久要申请延续？",
    ]
    assert "有效期" in stored.turns[1].rewritten_question


def test_unsupported_question_is_refused_with_closest_sources(api_url: str) -> None:
    page = open_page()
    ask(page, "ISO 14001 环境管理体系认证要交多少认证费？")
    assert any("不作回答" in w.value for w in page.warning)
    assert [label for label in expander_labels(page) if label.startswith("[")]


def test_kind_filter_limits_the_sources(api_url: str) -> None:
    page = open_page()
    page.sidebar.multiselect[0].select("procedure").run()
    ask(page, "内部审核多久做一次？")
    cited = [label for label in expander_labels(page) if label.startswith("[")]
    assert cited and all("HR-QP-" in label for label in cited), cited
    # each source and the answer say whose documents they are, by the org's name: the
    # asker's company, then the public ones
    assert all(label.endswith("｜ 华瑞线缆有限公司") for label in cited), cited
    captions = [c.value for c in page.caption]
    assert "检索范围：华瑞线缆有限公司 + 公共资料" in captions, captions


def test_feedback_is_stored(api_url: str, stack: Stack) -> None:
    page = open_page()
    ask(page, "管理评审多久开一次？")
    conversation_id = page.session_state["conversation_id"]
    page.radio[0].set_value("👎 没帮助")
    page.text_input[0].input("想看到具体的输入清单")
    next(b for b in page.button if b.label == "提交反馈").click().run()
    assert not page.exception
    assert any("已收到你的反馈" in c.value for c in page.caption)
    with stack.conversations().engine.connect() as conn:
        rows = conn.execute(
            select(feedback.c.rating, feedback.c.comment).where(
                feedback.c.conversation_id == conversation_id
            )
        ).all()
    assert [(r.rating, r.comment) for r in rows] == [(-1, "想看到具体的输入清单")]


def test_earlier_conversation_reopens(api_url: str) -> None:
    first = open_page()
    ask(first, "企业名称变了，生产许可证怎么办？")
    conversation_id = first.session_state["conversation_id"]

    later = open_page()  # a new browser session
    button = next(b for b in later.sidebar.button if b.key == f"conversation-{conversation_id}")
    button.click().run()
    assert later.session_state["conversation_id"] == conversation_id
    question = next(m for m in later.chat_message if m.name == "user")
    assert "企业名称变了" in question.markdown[0].value
    assert assistant_text(later) == assistant_text(first)

    next(b for b in later.sidebar.button if b.label == "➕ 新对话").click().run()
    assert later.session_state["conversation_id"] is None
    assert not later.chat_message


def test_unreachable_api_is_explained_in_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CERTGUIDE_API_URL", f"http://127.0.0.1:{free_port()}")
    page = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    page.run()
    assert not page.exception
    assert "无法连接到 CertGuide 服务" in page.error[0].value
    assert not page.chat_input


def test_empty_index_points_to_the_documents_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with api_server(tmp_path, uploads=[]) as url:
        monkeypatch.setenv("CERTGUIDE_API_URL", url)
        chat = open_page()
        assert any("资料库还是空的" in i.value for i in chat.info)
        documents = AppTest.from_file(str(UI_DIR / "views" / "documents.py"), default_timeout=60)
        documents.run()
        assert not documents.exception
        assert any("还没有文档" in i.value for i in documents.info)


def test_a_revoked_or_wrong_key_asks_for_a_valid_one(
    api_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CERTGUIDE_API_KEY", "cg_not-a-real-key")
    page = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    page.run()
    assert not page.exception
    assert "需要有效的 API 密钥" in page.warning[0].value
    assert page.text_input[0].label == "API 密钥"
    assert not page.chat_input
