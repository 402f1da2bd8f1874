"""End to end in headless Chromium: API + Streamlit UI as real processes, a question typed,
the answer streamed, a citation opened, a file uploaded; screenshots in test-artifacts/."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from assistant.launch import ui_command
from assistant.settings import PROJECT_ROOT
from tests.server import free_port, running
from tests.ui.conftest import Stack

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]

pytestmark = pytest.mark.server
expect.set_options(timeout=90_000)  # the first gap report prepares its requirements (~20 s)


@pytest.fixture(scope="module")
def ui_url(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("streamlit") / "ui.log"
    env = {"CERTGUIDE_API_URL": stack.api_url, "CERTGUIDE_API_KEY": stack.keys["staff"]}
    with running(ui_command("127.0.0.1", port), f"{url}/_stcore/health", log, env=env):
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} not installed (apt-get install chromium fonts-noto-cjk)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    context.set_default_timeout(90_000)
    yield context.new_page()
    context.close()


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def settled(page: Page) -> None:
    """Wait for the script run in progress to end: a click that lands while the page is being
    redrawn can be lost (seen once in five runs under load, on the gap report button)."""
    expect(page.get_by_test_id("stStatusWidget")).to_be_hidden()


def test_question_answer_and_citation(page: Page, ui_url: str) -> None:
    page.goto(ui_url)
    expect(page.get_by_text("可以这样问")).to_be_visible()
    question = page.get_by_test_id("stChatInputTextArea")
    question.fill("生产许可证有效期几年？")
    question.press("Enter")

    messages = page.get_by_test_id("stChatMessage")
    expect(page.get_by_text("评价这个回答")).to_be_visible()  # the answer is final, not streaming
    expect(messages).to_have_count(2)
    expect(messages.nth(1)).to_contain_text("5年")
    citation = messages.nth(1).get_by_test_id("stExpander").filter(has_text="[1]")
    expect(citation).to_be_visible()
    citation.locator("summary").click()
    passage = citation.get_by_test_id("stExpanderDetails")
    expect(passage).to_be_visible()
    expect(passage).to_contain_text("有效期")
    expect(page.get_by_text("无法连接")).to_have_count(0)
    screenshot(page, "chat-citation.png")

    question.fill("那到期前多久要申请延续？")
    question.press("Enter")
    expect(page.get_by_text("评价这个回答")).to_have_count(2)
    expect(messages).to_have_count(4)
    expect(messages.nth(2)).to_contain_text("那到期前多久要申请延续")
    expect(messages.nth(3)).to_contain_text("6个月")
    expect(messages.nth(3).get_by_test_id("stExpander").first).to_be_visible()
    expect(page.get_by_test_id("stSidebar").get_by_text("生产许可证有效期几年")).to_be_visible()
    messages.nth(3).scroll_into_view_if_needed()
    screenshot(page, "chat-follow-up.png")


def test_upload_and_open_a_document(page: Page, ui_url: str, tmp_path: Path) -> None:
    run = uuid.uuid4().hex[:6]  # a new document each time, so the test can be repeated
    name, title = f"upload-{run}.md", f"留样管理程序{run}"
    procedure = tmp_path / name
    procedure.write_text(f"# {title}\n\n## 1 要求\n每批产品留样两件，保存十八个月。\n")
    page.goto(f"{ui_url}/documents")
    summary = page.get_by_text(re.compile(r"共 \d+ 份文档"))
    expect(summary).to_be_visible()
    documents_before = int(re.findall(r"\d+", summary.inner_text())[0])
    page.get_by_text("上传文件").click()
    page.locator("input[type=file]").set_input_files(str(procedure))
    # the uploader lists the file (its shown name may be shortened; the remove button's is not)
    expect(page.get_by_role("button", name=f"Remove {name}")).to_be_visible()
    settled(page)
    page.get_by_role("button", name="开始入库").click()
    expect(page.get_by_text(f"{name}：已新增")).to_be_visible()
    # the rerun has listed the new document, so the select box below holds it
    expect(page.get_by_text(f"共 {documents_before + 1} 份文档")).to_be_visible()

    settled(page)
    page.get_by_test_id("stSelectbox").filter(has_text="打开文档").click()
    page.keyboard.type(title)
    option = page.get_by_role("option", name=re.compile(title))
    expect(option).to_be_visible()  # the list has filtered down to it, however fast we typed
    # Enter picks the focused first match; a click could chase an option the list keeps
    # redrawing (seen once in 10 quiet runs: "element was detached from the DOM" for 90 s)
    page.keyboard.press("Enter")
    expect(page.get_by_text("保存十八个月")).to_be_visible()
    screenshot(page, "documents.png")


def test_consultant_signs_in_and_reads_a_gap_report(page: Page, ui_url: str, stack: Stack) -> None:
    page.goto(f"{ui_url}/clients")
    expect(page.get_by_text("当前用户：ui-staff")).to_be_visible()
    page.get_by_text("切换 API 密钥").click()
    page.get_by_label("API 密钥").fill(stack.keys["consultant"])
    page.get_by_role("button", name="使用此密钥").click()
    expect(page.get_by_text("当前用户：ui-consultant（顾问）")).to_be_visible()
    client = page.get_by_role("combobox", name="客户")
    expect(client).to_have_value("恒力起重机械配件有限公司（hengli）")
    page.get_by_role("tab", name="差距分析").click()
    settled(page)
    page.get_by_role("button", name="生成差距分析报告").click()
    expect(page.get_by_test_id("stMetric").filter(has_text="缺失")).to_be_visible()
    expect(page.get_by_role("button", name="下载 Excel")).to_be_visible()
    expect(page.get_by_role("button", name="下载 Word")).to_be_visible()
    screenshot(page, "clients-gap-report.png")
