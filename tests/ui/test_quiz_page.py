"""题库 page through AppTest against a real API server: generate, review beside the source,
edit (flagged when it no longer matches), reorder, delete, export, clear errors."""

from __future__ import annotations

import os

import pytest
from streamlit.testing.v1 import AppTest

from assistant.client import CertGuideClient
from tests.ui.conftest import UI_DIR, Stack

PAGE = str(UI_DIR / "views" / "quiz.py")


@pytest.fixture(autouse=True)
def as_trainer(api_url: str, stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    """Quizzes are made by trainers (staff may only read them)."""
    monkeypatch.setenv("CERTGUIDE_API_KEY", stack.keys["trainer"])


def trainer_client(api_url: str) -> CertGuideClient:
    return CertGuideClient(api_url, api_key=os.environ["CERTGUIDE_API_KEY"])


def open_page() -> AppTest:
    page = AppTest.from_file(PAGE, default_timeout=120)
    page.run()
    assert not page.exception, page.exception
    return page


def generate(page: AppTest, ref: str, n: int) -> None:
    page.text_input[0].set_value("不合格品培训")
    page.text_input[1].set_value(ref)
    page.number_input[0].set_value(n)
    next(b for b in page.button if b.label == "生成题目").click().run()
    assert not page.exception, page.exception


def markdown(page: AppTest) -> str:
    return "\n".join(md.value for md in page.markdown)


def test_generate_review_edit_and_export(api_url: str) -> None:
    page = open_page()
    generate(page, "HR-QP-05 §4.1-4.6", 4)
    assert not page.error, [e.value for e in page.error]
    assert any("已生成 4 道题" in s.value for s in page.success)
    assert any(c.value.startswith("判断 正确") and "考点" in c.value for c in page.caption)
    with trainer_client(api_url) as api:
        quiz = api.quiz(page.session_state["quiz-id"])
    assert len(quiz.questions) == 4 and not page.warning
    shown = markdown(page)
    for question in quiz.questions:
        assert question.stem in shown
        assert f"**{question.source.text}**" in shown  # the span, bold inside its passage
    assert any("HR-QP-05" in c.value for c in page.caption)
    assert page.get("download_button")

    next(t for t in page.text_area if t.label == "题干").set_value("完全改写的题干（  ）。")
    next(b for b in page.button if b.label == "保存并重新校验").click().run()
    assert not page.exception, page.exception
    assert any("不再一致" in w.value for w in page.warning)
    with trainer_client(api_url) as api:
        edited = api.quiz(quiz.id)
    assert edited.questions[0].flagged and edited.questions[0].stem == "完全改写的题干（  ）。"

    page.button(key="up-1").click().run()
    with trainer_client(api_url) as api:
        moved = api.quiz(quiz.id)
    assert moved.questions[0].stem == quiz.questions[1].stem
    shown_stems = [t.value for t in page.text_area if t.label == "题干"]
    assert shown_stems[:2] == [q.stem for q in moved.questions[:2]]  # no stale form state
    page.button(key="delete-0").click().run()
    assert any("已删除第 1 题" in s.value for s in page.success)
    with trainer_client(api_url) as api:
        assert len(api.quiz(quiz.id).questions) == 3


def test_bad_selections_get_chinese_errors(api_url: str) -> None:
    page = open_page()
    generate(page, "第五条到哪里", 3)
    assert any("无法识别条款范围" in e.value for e in page.error)
    generate(page, "HR-QP-05 §4.5", 100)
    assert any("不够出这么多题" in e.value for e in page.error)
