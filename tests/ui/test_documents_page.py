"""文档库 page through AppTest against a real API server: list, upload, browse, delete."""

from __future__ import annotations

import os

import httpx
from streamlit.testing.v1 import AppTest

from tests.ui.conftest import UI_DIR

PAGE = str(UI_DIR / "views" / "documents.py")
PROCEDURE = """# 样品留存程序

## 1 目的
规定出厂样品的留存与处置。

## 2 要求
每批出厂产品留样两件，留样期限为十八个月，到期由质量部登记后处置。
"""


def open_page() -> AppTest:
    page = AppTest.from_file(PAGE, default_timeout=120)
    page.run()
    assert not page.exception, page.exception
    return page


def documents(api_url: str) -> dict[str, int]:
    """What the page's user (staff of huarui) may see, straight from the API."""
    key = os.environ["CERTGUIDE_API_KEY"]
    headers = {"Authorization": f"Bearer {key}"}
    body = httpx.get(f"{api_url}/v1/documents", headers=headers, timeout=30).json()
    return {d["doc_id"]: d["chunk_count"] for d in body["documents"]}


def upload(page: AppTest, *files: tuple[str, bytes, str]) -> None:
    page.file_uploader[0].set_value(list(files))
    next(b for b in page.button if b.label == "开始入库").click().run()
    assert not page.exception, page.exception


def test_lists_every_document(api_url: str) -> None:
    page = open_page()
    listed = page.dataframe[0].value
    expected = documents(api_url)
    assert sorted(listed["文档 ID"]) == sorted(expected)
    assert f"共 {len(expected)} 份文档" in page.caption[0].value

    page.get("segmented_control")[0].set_value("procedure").run()
    procedures = page.dataframe[0].value
    assert set(procedures["类别"]) == {"程序文件"}
    assert 0 < len(procedures) < len(expected)


def test_upload_reports_each_file_and_bad_files_in_chinese(api_url: str) -> None:
    page = open_page()
    upload(
        page,
        ("sample-retention.md", PROCEDURE.encode(), "text/markdown"),
        ("empty.txt", b"", "text/plain"),
        ("binary.txt", bytes(range(256)) * 8, "text/plain"),
    )
    successes = [s.value for s in page.success]
    errors = [e.value for e in page.error]
    assert any("sample-retention.md：已新增" in s for s in successes), successes
    assert any("empty.txt" in e and "文件是空的" in e for e in errors), errors
    assert any("binary.txt" in e and "二进制" in e for e in errors), errors
    assert "sample-retention" in documents(api_url)

    upload(page, ("sample-retention.md", PROCEDURE.encode(), "text/markdown"))
    assert any("内容未变" in s.value for s in page.success)


def test_browse_by_section_then_delete_with_confirmation(api_url: str) -> None:
    page = open_page()
    upload(page, ("to-delete.md", PROCEDURE.replace("样品", "试样").encode(), "text/markdown"))
    assert "to-delete" in documents(api_url)

    page = open_page()
    page.selectbox(key="open-document").set_value("to-delete").run()
    assert any("试样留存程序" in h.value for h in page.subheader)
    page.selectbox(key="ref-to-delete").set_value("2").run()
    shown = "\n".join(md.value for md in page.markdown)
    assert "十八个月" in shown and "规定出厂试样" not in shown

    delete = page.button(key="delete-to-delete")
    assert delete.disabled
    page.checkbox(key="confirm-to-delete").check().run()
    page.button(key="delete-to-delete").click().run()
    assert not page.exception
    assert any("已删除" in s.value for s in page.success)
    assert "to-delete" not in documents(api_url)
    assert page.selectbox(key="open-document").value is None
