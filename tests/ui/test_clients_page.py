"""客户 page through AppTest as a consultant of hengli, against the real API server."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.conftest import UI_DIR, Stack

PAGE = str(UI_DIR / "views" / "clients.py")


@pytest.fixture()
def page(api_url: str, stack: Stack, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("CERTGUIDE_API_KEY", stack.keys["consultant"])
    app = AppTest.from_file(PAGE, default_timeout=180)
    app.run()
    assert not app.exception, app.exception
    return app


def test_only_assigned_clients_are_offered(page: AppTest) -> None:
    assert page.selectbox[0].options == ["恒力起重机械配件有限公司（hengli）"]


def test_gap_report_shows_the_planted_gaps(page: AppTest) -> None:
    page.button(key="gaps-hengli").click().run()
    assert not page.exception and not page.error
    metrics = {m.label: m.value for m in page.metric}
    assert int(metrics["❌ 缺失"]) >= 5 and int(metrics["✅ 已覆盖"]) > 40
    shown = page.dataframe[0].value
    missing = set(shown.loc[shown["结论"] == "❌ 缺失", "条款"])
    assert {"9.3", "9.1.2", "XK-1"} <= missing
    assert "9.2" not in set(shown["条款"])  # covered rows are hidden by default
    partial = shown.loc[shown["结论"] == "🟡 部分覆盖", "依据原文"]
    assert all(quote.startswith("「") for quote in partial)  # the client's own sentences
    assert len(page.get("download_button")) == 3  # Markdown, Excel, Word


def test_questions_are_answered_from_the_client_only(page: AppTest) -> None:
    page.text_input[0].input("吊钩的磁粉检测由谁来做？")
    next(b for b in page.button if b.label == "提问").click().run()
    assert not page.exception and not page.error
    sources = [e.label for e in page.expander if e.label.startswith("[")]
    assert sources and all("HL-QP-" in label for label in sources), sources


def test_staff_without_clients_sees_their_own_org(api_url: str) -> None:
    app = AppTest.from_file(PAGE, default_timeout=60)
    app.run()  # the staff key of huarui (api_url's default)
    assert not app.exception
    assert app.selectbox[0].options == ["华瑞线缆有限公司（huarui）"]
