"""Malformed and hostile requests get a 4xx/503 JSON error with a clear message, never a 500:
a table of input phenomena (blank and control-character questions, out-of-range integers,
unknown enum values and orgs), each with the status it must get."""

from __future__ import annotations

from collections.abc import Iterator
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


BAD_REQUESTS: list[tuple[str, str, dict[str, Any], int]] = [
    # an integer past SQLite's 64 bits
    ("POST", "/v1/feedback", {"conversation_id": "x", "turn": 2**64, "rating": 1}, 422),
    ("POST", "/v1/feedback", {"conversation_id": "x", "turn": -1, "rating": 1}, 422),
    ("POST", "/v1/quizzes", {"sources": {"kinds": ["bogus"]}, "n": 1}, 422),
    ("POST", "/v1/search", {"question": "内审", "filters": {"kinds": ["bogus"]}}, 422),
    # an admin reads every org, but not one that does not exist
    ("POST", "/v1/ask", {"question": "内审多久一次？", "org": "nosuchorg"}, 404),
    ("POST", "/v1/search", {"question": "内审多久一次？", "org": "../etc"}, 404),
    ("POST", "/v1/search", {"question": "内审", "filters": {"orgs": ["nosuchorg"]}}, 404),
    ("POST", "/v1/ask", {"question": ["not", "a", "string"]}, 422),
    ("POST", "/v1/ask", {}, 422),
]


@pytest.mark.parametrize(("method", "route", "body", "status"), BAD_REQUESTS)
def test_bad_requests_get_json_errors(
    client: TestClient, method: str, route: str, body: dict[str, Any], status: int
) -> None:
    response = client.request(method, route, json=body)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] and error["message"]


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
