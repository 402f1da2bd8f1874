"""Malformed and hostile requests get a 4xx/503 JSON error with a clear message, never a 500:
a table of input phenomena (blank and control-character questions, out-of-range integers,
unknown enum values and orgs), each with the status it must get."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.knowledge import KnowledgeBase
from tests.api.conftest import services_over
from tests.conftest import CORPUS_DIR

BLANKS = [" ", "\u3000\u3000", "\u0085", "\t\n", "\x00", "内审\x07多久一次"]
ASKING_ROUTES = ["/v1/ask", "/v1/search", "/v1/chat"]


@pytest.mark.parametrize("route", ASKING_ROUTES)
@pytest.mark.parametrize("question", BLANKS)
def test_a_question_with_nothing_to_ask_is_refused(
    client: TestClient, route: str, question: str
) -> None:
    response = client.post(route, json={"question": question})
    assert response.status_code == 422, response.text
    assert "问题" in response.json()["error"]["message"]


def test_a_blank_chat_completion_is_refused(client: TestClient) -> None:
    body = {"messages": [{"role": "user", "content": "\x00"}]}
    response = client.post("/v1/chat/completions", json=body)
    assert response.status_code == 422, response.text


@dataclass(frozen=True)
class BadInput:
    """One malformed or hostile request and the status it must get."""

    what: str
    method: str
    route: str
    status: int
    body: Any = None  # sent as JSON
    content: bytes | None = None  # sent raw, as application/json
    upload: tuple[str, bytes] | None = None  # a file for /v1/documents
    form: dict[str, str] | None = None


def _upload(what: str, name: str, data: bytes, status: int, **form: str) -> BadInput:
    return BadInput(what, "POST", "/v1/documents", status, upload=(name, data), form=form or None)


LONG_QUESTION = "内审" * 1001
BAD_INPUTS = [
    BadInput("an integer past SQLite's 64 bits", "POST", "/v1/feedback", 422,
             {"conversation_id": "x", "turn": 2**64, "rating": 1}),
    BadInput("a negative turn", "POST", "/v1/feedback", 422,
             {"conversation_id": "x", "turn": -1, "rating": 1}),
    BadInput("a rating outside 👍/👎", "POST", "/v1/feedback", 422,
             {"conversation_id": "x", "turn": 0, "rating": 5}),
    BadInput("a rating as a word", "POST", "/v1/feedback", 422,
             {"conversation_id": "x", "turn": 0, "rating": "good"}),
    BadInput("feedback on an unknown conversation", "POST", "/v1/feedback", 404,
             {"conversation_id": "nosuchconversation", "turn": 0, "rating": 1}),
    BadInput("a comment over 2,000 characters", "POST", "/v1/feedback", 422,
             {"conversation_id": "x", "turn": 0, "rating": 1, "comment": "好" * 2001}),
    BadInput("an unknown source kind", "POST", "/v1/quizzes", 422,
             {"sources": {"kinds": ["bogus"]}, "n": 1}),
    BadInput("a quiz of no questions", "POST", "/v1/quizzes", 422, {"n": 0}),
    BadInput("a quiz of 10,000 questions", "POST", "/v1/quizzes", 422, {"n": 10_000}),
    BadInput("an unknown question type", "POST", "/v1/quizzes", 422, {"types": ["作文"]}),
    BadInput("no question types", "POST", "/v1/quizzes", 422, {"types": []}),
    BadInput("an unknown difficulty", "POST", "/v1/quizzes", 422, {"difficulty": "extreme"}),
    BadInput("a quiz from an unknown document", "POST", "/v1/quizzes", 422,
             {"sources": {"doc_ids": ["nosuchdoc"]}, "n": 3}),
    BadInput("a quiz from a ref that parses to nothing", "POST", "/v1/quizzes", 422,
             {"sources": {"ref": "第几条到第几条"}, "n": 3}),
    BadInput("an unknown quiz", "GET", "/v1/quizzes/nosuchquiz", 404),
    BadInput("an export of an unknown quiz", "GET", "/v1/quizzes/nosuchquiz/export", 404),
    BadInput("an unknown filter kind", "POST", "/v1/search", 422,
             {"question": "内审", "filters": {"kinds": ["bogus"]}}),
    BadInput("filters as a list", "POST", "/v1/search", 422,
             {"question": "内审", "filters": ["procedure"]}),
    BadInput("k = 0", "POST", "/v1/search", 422, {"question": "内审", "k": 0}),
    BadInput("k = 51", "POST", "/v1/search", 422, {"question": "内审", "k": 51}),
    BadInput("k as a word", "POST", "/v1/search", 422, {"question": "内审", "k": "five"}),
    BadInput("an unknown org (admin)", "POST", "/v1/ask", 404,
             {"question": "内审多久一次？", "org": "nosuchorg"}),
    BadInput("a path as an org", "POST", "/v1/search", 404,
             {"question": "内审多久一次？", "org": "../etc"}),
    BadInput("an unknown org in the filters", "POST", "/v1/search", 404,
             {"question": "内审", "filters": {"orgs": ["nosuchorg"]}}),
    BadInput("an org id over 64 characters", "POST", "/v1/ask", 422,
             {"question": "内审多久一次？", "org": "o" * 65}),
    BadInput("a question as a list", "POST", "/v1/ask", 422, {"question": ["not", "a", "string"]}),
    BadInput("a question as a number", "POST", "/v1/ask", 422, {"question": 123}),
    BadInput("a null question", "POST", "/v1/ask", 422, {"question": None}),
    BadInput("no question", "POST", "/v1/ask", 422, {}),
    BadInput("a question over 2,000 characters", "POST", "/v1/ask", 422,
             {"question": LONG_QUESTION}),
    BadInput("a JSON list as the body", "POST", "/v1/ask", 422, ["内审多久一次？"]),
    BadInput("a body that is not JSON", "POST", "/v1/ask", 422, content=b"question=hi"),
    BadInput("a body cut off mid-JSON", "POST", "/v1/ask", 422,
             content='{"question": "内'.encode()),
    BadInput("a body over 64 KiB", "POST", "/v1/ask", 413,
             content=b'{"question": "' + b"a" * 70_000 + b'"}'),
    BadInput("an unknown conversation", "POST", "/v1/ask", 404,
             {"question": "内审多久一次？", "conversation_id": "nosuchconversation"}),
    BadInput("a conversation id over 64 characters", "POST", "/v1/chat", 422,
             {"question": "内审多久一次？", "conversation_id": "c" * 65}),
    BadInput("no chat messages", "POST", "/v1/chat/completions", 422, {"messages": []}),
    BadInput("an unknown message role", "POST", "/v1/chat/completions", 422,
             {"messages": [{"role": "robot", "content": "内审多久一次？"}]}),
    BadInput("stream as a word", "POST", "/v1/chat/completions", 422,
             {"messages": [{"role": "user", "content": "内审"}], "stream": "maybe"}),
    BadInput("an unknown conversation to read", "GET", "/v1/conversations/nosuch", 404),
    BadInput("an unknown document", "GET", "/v1/documents/nosuchdoc", 404),
    BadInput("deleting an unknown document", "DELETE", "/v1/documents/nosuchdoc", 404),
    BadInput("an upload without a file", "POST", "/v1/documents", 422, form={"kind": "guide"}),
    _upload("an executable", "tool.exe", b"MZ\x90\x00", 415),
    _upload("a file without a suffix", "README", b"# x", 415),
    _upload("an empty file", "empty.md", b"", 400),
    _upload("only whitespace", "blank.md", " \n\u3000\n".encode(), 400),
    _upload("a .docx that is not a zip", "broken.docx", b"PK\x03\x04 not really a zip", 400),
    _upload("a .pdf that is not a PDF", "broken.pdf", b"%PDF-1.7 garbage", 400),
    _upload("binary noise as text", "noise.txt", bytes(range(256)) * 8, 400),
    _upload("an unknown kind", "ok.md", "# 标题\n\n内容。".encode(), 422, kind="bogus"),
    _upload("a path as the org", "ok.md", "# 标题\n\n内容。".encode(), 422, org="../etc"),
    BadInput("an org id with spaces", "POST", "/v1/orgs", 422, {"id": "Bad Org!"}),
    BadInput("an unknown role", "POST", "/v1/users", 422, {"name": "x", "role": "king"}),
    BadInput("a user without a name", "POST", "/v1/users", 422, {"name": "", "role": "staff"}),
    BadInput("a revoke naming nothing", "POST", "/v1/keys/revoke", 422, {}),
    BadInput("a gap report of an unknown org", "GET", "/v1/orgs/nosuchorg/gap-report", 404),
    BadInput("a gap report format nobody makes", "GET",
             "/v1/orgs/huarui/gap-report?format=pdf", 422),
    BadInput("an audit limit as a word", "GET", "/v1/audit?limit=many", 422),
    BadInput("an unknown evaluation report", "GET", "/v1/eval-reports/nosuch", 404),
    BadInput("a path as an evaluation report", "GET", "/v1/eval-reports/..%2F..%2Fetc", 404),
    BadInput("GET on a POST route", "GET", "/v1/ask", 405),
    BadInput("PUT on the documents", "PUT", "/v1/documents", 405),
    BadInput("a route that does not exist", "GET", "/v1/nothing-here", 404),
]  # fmt: skip


def send(client: TestClient, bad: BadInput) -> Any:
    if bad.upload is not None or bad.form is not None:
        files = {"file": bad.upload} if bad.upload else None
        return client.request(bad.method, bad.route, files=files, data=bad.form)
    if bad.content is not None:
        headers = {"content-type": "application/json"}
        return client.request(bad.method, bad.route, content=bad.content, headers=headers)
    return client.request(bad.method, bad.route, json=bad.body)


@pytest.mark.parametrize("bad", BAD_INPUTS, ids=[b.what for b in BAD_INPUTS])
def test_bad_requests_get_json_errors(client: TestClient, bad: BadInput) -> None:
    response = send(client, bad)
    assert response.status_code == bad.status, response.text
    error = response.json()["error"]
    assert error["code"] and error["message"]
    assert re.search(r"[\u4e00-\u9fff]", error["message"]), "a message in Chinese too"


def test_a_method_not_allowed_names_the_allowed_ones(client: TestClient) -> None:
    response = client.request("TRACE", "/v1/ask")
    assert response.status_code == 405
    assert "POST" in response.headers["allow"]
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_the_openapi_document_lists_the_errors_and_zoned_times(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    ask = spec["paths"]["/v1/ask"]["post"]["responses"]
    assert {"400", "404", "413", "415", "422", "503"} <= set(ask)
    assert ask["422"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorReply")
    conversation_id = client.post("/v1/ask", json={"question": "内审多久一次？"}).json()[
        "conversation_id"
    ]
    updated = client.get(f"/v1/conversations/{conversation_id}").json()["updated_at"]
    assert updated.endswith(("Z", "+00:00")), updated


@pytest.fixture()
def procedures_only(empty_kb: KnowledgeBase, tmp_path: Path) -> Iterator[TestClient]:
    """An index without the ISO 9001 clause summaries (deleted, or never ingested)."""
    empty_kb.ingest([CORPUS_DIR / "procedures" / "huarui" / "HR-QP-10.md"], progress=False)
    services = services_over(empty_kb, tmp_path / "api.db", anonymous_role="admin")
    with TestClient(create_app(services.settings, services)) as test_client:
        yield test_client


def test_a_gap_report_needs_no_indexed_clause_summaries(procedures_only: TestClient) -> None:
    """The requirements are data in the package, not a document that can be deleted."""
    response = procedures_only.get("/v1/orgs/huarui/gap-report")
    assert response.status_code == 200, response.text
    items = {item["ref"]: item["status"] for item in response.json()["items"]}
    assert {"4.1", "9.3", "10.3", "XK-1", "XK-7"} <= set(items)
    assert items["XK-1"] == "covered"


def test_replies_hold_no_server_paths(client: TestClient) -> None:
    documents = client.get("/v1/documents").json()["documents"]
    assert documents and all("/" not in d["path"] and d["path"] for d in documents), documents[0]
    uploaded = client.post(
        "/v1/documents", files={"file": ("路径.md", "# 路径\n## 一\n内容写在这里。".encode())}
    ).json()["document"]
    assert uploaded["path"] == "路径.md"
    client.delete(f"/v1/documents/{uploaded['doc_id']}")
