"""评估 page through AppTest: empty state, then a real report written by the answer eval."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from assistant.client import CertGuideClient
from evals.answers import build_report, run, write
from tests.ui.conftest import UI_DIR, Stack

PAGE = str(UI_DIR / "views" / "evaluation.py")


def test_empty_state_then_a_real_report(api_url: str, stack: Stack) -> None:
    page = AppTest.from_file(PAGE, default_timeout=120)
    page.run()
    assert not page.exception
    assert "还没有评估报告" in page.info[0].value

    with CertGuideClient(api_url, api_key=stack.keys["staff"]) as client:
        results = run(client.ask, "dev", 2)
    write(build_report(results, "UI test over HTTP"), results, stack.reports_dir)

    page.run()
    assert not page.exception and not page.error
    assert any("UI test over HTTP" in c.value for c in page.caption)
    groups = page.dataframe[0].value
    assert {"全部", "开发集"} <= set(groups.index)
    assert groups.loc["开发集", "应拒答题数"] == 2 and groups.loc["开发集", "可答题数"] == 2
    assert 0.0 <= groups.loc["全部", "要点答对并引用"] <= 1.0
    assert 0.0 <= groups.loc["全部", "忠实度"] <= 1.0
    assert len(page.image) == 2
    worst_questions = {r.question for r in results}
    assert any(any(q in e.label for q in worst_questions) for e in page.expander)
