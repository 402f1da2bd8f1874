"""The API as a real uvicorn process on 127.0.0.1, driven by httpx and the openai client."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from openai import OpenAI

from tests.conftest import CORPUS_DIR, REGULATIONS_DIR
from tests.server import api_server

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    uploads = [
        CORPUS_DIR / "regulations" / "xk-regulation-summary.md",
        CORPUS_DIR / "procedures" / "huarui" / "HR-QP-07.md",
    ]
    official = REGULATIONS_DIR / "xk-licence-regulation-2023.md"
    if official.is_file():
        uploads.append(official)
    with api_server(tmp_path_factory.mktemp("server"), uploads) as url:
        yield url


def test_ask_over_http(base_url: str) -> None:
    reply = httpx.post(
        f"{base_url}/v1/ask", timeout=60, json={"question": "许可证到期前多久要申请换证？"}
    ).json()
    assert not reply["refused"] and "6个月" in reply["answer"]
    assert any(c["ref"] == "第二十五条" for c in reply["citations"])
    refused = httpx.post(
        f"{base_url}/v1/ask", timeout=60, json={"question": "明天上海会下雨吗？"}
    ).json()
    assert refused["refused"] is True


def test_sse_stream_parsed_incrementally(base_url: str) -> None:
    events: list[tuple[str, dict[str, object] | list[object]]] = []
    with httpx.stream(
        "POST", f"{base_url}/v1/chat", timeout=60, json={"question": "C级供应商多长时间内要整改？"}
    ) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        event = ""
        for line in response.iter_lines():
            if line.startswith("event: "):
                event = line.removeprefix("event: ")
            elif line.startswith("data: "):
                events.append((event, json.loads(line.removeprefix("data: "))))
    assert [e for e, _ in events][-2:] == ["citations", "done"]
    answer = "".join(str(d["delta"]) for e, d in events if e == "answer")  # type: ignore[call-overload]
    assert "3个月" in answer


def test_openai_client_plain_and_streaming(base_url: str) -> None:
    client = OpenAI(base_url=f"{base_url}/v1", api_key="unused", timeout=60)
    completion = client.chat.completions.create(
        model="certguide", messages=[{"role": "user", "content": "C级供应商多长时间内要整改？"}]
    )
    content = completion.choices[0].message.content or ""
    assert "3个月" in content
    assert completion.model_extra and completion.model_extra["citations"][0]["doc_id"] == "HR-QP-07"

    stream = client.chat.completions.create(
        model="certguide",
        stream=True,
        messages=[
            {"role": "user", "content": "生产许可证有效期几年？"},
            {"role": "assistant", "content": "5年。"},
            {"role": "user", "content": "那换证呢？"},
        ],
    )
    pieces, citations = [], []
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            pieces.append(chunk.choices[0].delta.content)
        if chunk.model_extra and chunk.model_extra.get("citations"):
            citations = chunk.model_extra["citations"]
    assert "6个月" in "".join(pieces)
    assert citations


def test_concurrent_requests_and_uploads(base_url: str) -> None:
    questions = [
        "C级供应商多长时间内要整改？",
        "许可证到期前多久要申请换证？",
        "新供应商要试供几批？",
    ] * 4

    def ask(question: str) -> int:
        return httpx.post(
            f"{base_url}/v1/ask", json={"question": question}, timeout=120
        ).status_code

    def upload(index: int) -> int:
        body = f"# 临时文件{index}\n## 说明\n临时文件{index}的内容用于并发测试，保存3年。".encode()
        return httpx.post(
            f"{base_url}/v1/documents", timeout=120, files={"file": (f"tmp-{index}.md", body)}
        ).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        asks = list(pool.map(ask, questions))
        uploads = list(pool.map(upload, range(4)))
    assert set(asks) == {200} and set(uploads) == {201}
    documents = httpx.get(f"{base_url}/v1/documents", timeout=30).json()["documents"]
    assert {f"tmp-{i}" for i in range(4)} <= {d["doc_id"] for d in documents}
    detail = httpx.get(f"{base_url}/v1/documents/tmp-2", timeout=30).json()
    assert detail["document"]["chunk_count"] == len(detail["chunks"]) == 1


def test_a_chunked_body_over_the_limit_is_refused(base_url: str) -> None:
    """No Content-Length to check up front: the body is counted as it arrives."""
    megabyte = b"x" * (1024 * 1024)

    def twenty_megabytes() -> Iterator[bytes]:
        yield b'{"question": "'
        for _ in range(20):
            yield megabyte

    response = httpx.post(
        f"{base_url}/v1/ask",
        content=twenty_megabytes(),
        headers={"content-type": "application/json"},
        timeout=60,
    )
    assert "content-length" not in response.request.headers
    assert response.status_code == 413, response.text
    assert response.json()["error"]["code"] == "too_large"
    # the server is still there for the next request
    assert httpx.get(f"{base_url}/health", timeout=30).status_code == 200


def test_searches_survive_documents_deleted_under_them(base_url: str) -> None:
    """Four searchers while a document is uploaded and deleted again and again: a chunk
    deleted between the store's two reads is skipped, never a 500 (bounded: 60 s, the
    length of the race that once gave one error in 404 searches)."""
    deadline = time.monotonic() + 60
    body = "# 竞态文件\n## 说明\n" + "内部审核每年至少进行一次，覆盖所有部门和过程。" * 40

    def churn() -> list[int]:
        statuses = []
        while time.monotonic() < deadline:
            files = {"file": ("race.md", body.encode())}
            statuses.append(
                httpx.post(f"{base_url}/v1/documents", files=files, timeout=60).status_code
            )
            statuses.append(httpx.delete(f"{base_url}/v1/documents/race", timeout=60).status_code)
        return statuses

    def search() -> list[int]:
        statuses = []
        with httpx.Client(timeout=60) as client:  # one keep-alive connection per searcher
            while time.monotonic() < deadline:
                response = client.post(
                    f"{base_url}/v1/search", json={"question": "内部审核多久一次", "k": 10}
                )
                statuses.append(response.status_code)
        return statuses

    with ThreadPoolExecutor(max_workers=5) as pool:
        searches = [pool.submit(search) for _ in range(4)]
        churned = pool.submit(churn).result()
        statuses = [s for future in searches for s in future.result()]
    assert len(statuses) > 20 and set(statuses) == {200}, sorted(set(statuses))
    assert set(churned) <= {200, 201} and len(churned) >= 4
