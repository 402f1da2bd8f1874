"""Every route through TestClient on the real index: shapes, citations, errors."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient


def _events(body: str) -> list[tuple[str, object]]:
    events = []
    for block in body.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((lines["event"], json.loads(lines["data"])))
    return events


def test_health_ready_and_docs(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}
    ready = client.get("/ready").json()
    assert ready["status"] == "ready" and ready["chunks"] > 400
    assert client.get("/docs").status_code == 200
    assert "/v1/ask" in client.get("/openapi.json").json()["paths"]
    # started warm: the first question does not pay for embedding the off-topic subjects
    off_topic = client.app.state.services.answerer.off_topic  # type: ignore[attr-defined]
    assert "vectors" in vars(off_topic) and len(off_topic.vectors) == len(off_topic.subjects)


def test_ask_reply_object(client: TestClient) -> None:
    reply = client.post("/v1/ask", json={"question": "华瑞的内审多久做一次？"}).json()
    assert set(reply) >= {
        "answer",
        "citations",
        "refused",
        "conversation_id",
        "rewritten_question",
        "timings_ms",
    }
    assert not reply["refused"] and "12个月" in reply["answer"]
    citation = reply["citations"][0]
    assert set(citation) >= {"n", "doc_id", "title", "kind", "org", "ref", "text", "score"}
    follow = client.post(
        "/v1/ask", json={"question": "谁负责？", "conversation_id": reply["conversation_id"]}
    ).json()
    assert "内审" in follow["rewritten_question"] or "内部审核" in follow["rewritten_question"]
    conversation = client.get(f"/v1/conversations/{reply['conversation_id']}").json()
    assert [t["turn"] for t in conversation["turns"]] == [0, 1]
    feedback = client.post(
        "/v1/feedback",
        json={
            "conversation_id": reply["conversation_id"],
            "turn": 1,
            "rating": -1,
            "comment": "不够具体",
        },
    )
    assert feedback.status_code == 201 and feedback.json()["id"] >= 1


def test_chat_sse_stream(client: TestClient) -> None:
    response = client.post("/v1/chat", json={"question": "C级供应商多长时间内要整改？"})
    assert response.headers["content-type"].startswith("text/event-stream")
    events = _events(response.text)
    kinds = [kind for kind, _ in events]
    assert kinds[-2:] == ["citations", "done"] and kinds.count("answer") >= 1
    answer = "".join(data["delta"] for kind, data in events if kind == "answer")  # type: ignore[index]
    assert "3个月" in answer
    assert events[-1][1]["refused"] is False  # type: ignore[index]


def test_search_and_documents(client: TestClient) -> None:
    hits = client.post("/v1/search", json={"question": "7.1.5", "k": 3}).json()["hits"]
    assert hits[0]["ref"] == "7.1.5"
    scoped = client.post(
        "/v1/search",
        json={"question": "供应商评分", "org": "huarui", "filters": {"kinds": ["procedure"]}},
    ).json()
    assert scoped["hits"] and all(h["org"] == "huarui" for h in scoped["hits"])
    documents = client.get("/v1/documents", params={"kind": "procedure"}).json()["documents"]
    assert {d["doc_id"] for d in documents} >= {"HR-QP-01", "HR-QP-14"}
    detail = client.get("/v1/documents/HR-QP-05").json()
    assert detail["document"]["title"] == "不合格品控制程序"
    assert detail["chunks"][0]["ref"].startswith("HR-QP-05 §")


def test_errors_are_json_with_the_right_status(client: TestClient) -> None:
    cases = [
        (client.post("/v1/ask", json={"question": ""}), 422),
        (client.post("/v1/ask", json={"question": "问" * 3000}), 422),
        (
            client.post(
                "/v1/ask", content=b"{not json", headers={"content-type": "application/json"}
            ),
            422,
        ),
        (client.post("/v1/ask", json={"question": "内审", "conversation_id": "nope"}), 404),
        (client.get("/v1/documents/no-such-doc"), 404),
        (client.delete("/v1/documents/no-such-doc"), 404),
        (client.get("/v1/conversations/nope"), 404),
        (
            client.post("/v1/feedback", json={"conversation_id": "nope", "turn": 0, "rating": 1}),
            404,
        ),
        (client.post("/v1/feedback", json={"conversation_id": "x", "turn": 0, "rating": 5}), 422),
        (client.post("/v1/search", json={"question": "内审", "k": 500}), 422),
        (client.get("/v1/eval-reports/nope"), 404),
        (client.get("/v1/eval-reports/20261102T080000Z/plots/..%2F..%2Fsecret.png"), 404),
        (
            client.post(
                "/v1/ask", content=b"x" * (70 * 1024), headers={"content-type": "application/json"}
            ),
            413,
        ),
        (client.post("/v1/documents", files={"file": ("tool.exe", b"MZ")}), 415),
        (client.post("/v1/documents", files={"file": ("empty.md", b"")}), 400),
        (client.post("/v1/documents", files={"file": ("bad.txt", b"\x00\x01" * 100)}), 400),
        (
            client.post(
                "/v1/chat/completions", json={"messages": [{"role": "system", "content": "hi"}]}
            ),
            422,
        ),
    ]
    for response, status in cases:
        assert response.status_code == status, (response.request.url, response.text)
        body = response.json()
        assert body["error"]["code"] and body["error"]["message"], body


def test_upload_then_ask_then_delete(client: TestClient) -> None:
    text = (
        "---\nid: ZX-QP-01\ntitle: 钻石夹具管理程序\nkind: procedure\norg: zhenxin\n---\n"
        "# ZX-QP-01 钻石夹具管理程序\n## 1 目的\n规范钻石夹具的管理。\n"
        "## 4 工作程序\n### 4.1 点检\n钻石夹具每7天点检一次，由设备部负责，记录在点检表中。\n"
    )
    upload = client.post(
        "/v1/documents", files={"file": ("zx.md", text.encode())}, data={"kind": "procedure"}
    )
    assert upload.status_code == 201, upload.text
    assert upload.json()["document"]["org"] == "zhenxin"
    reply = client.post(
        "/v1/ask", json={"question": "钻石夹具多久点检一次？", "org": "zhenxin"}
    ).json()
    assert not reply["refused"] and "7天" in reply["answer"]
    assert reply["citations"][0]["doc_id"] == "ZX-QP-01"
    assert client.delete("/v1/documents/ZX-QP-01").json() == {"deleted": "ZX-QP-01"}
    assert client.get("/v1/documents/ZX-QP-01").status_code == 404


def test_a_bad_file_is_refused_without_waiting_for_the_write_lock(client: TestClient) -> None:
    """Files are parsed before the write lock is taken: while another write holds it, a file
    that cannot be read is refused at once, and nothing is indexed."""
    services = client.app.state.services  # type: ignore[attr-defined]
    before = services.kb.store.count()
    broken = {"file": ("broken.docx", b"PK\x03\x04 not really a zip")}
    with ThreadPoolExecutor(1) as pool, services.write_lock:  # another upload mid-write
        response = pool.submit(client.post, "/v1/documents", files=broken).result(timeout=60)
    assert response.status_code == 400, response.text
    assert "broken.docx:" in response.json()["error"]["message"]
    assert services.kb.store.count() == before


def test_a_file_is_embedded_before_the_write_lock(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While another write holds the lock, an upload is read, chunked and embedded, and
    waits only to write."""
    services = client.app.state.services  # type: ignore[attr-defined]
    embedded = threading.Event()
    prepare = services.kb.prepare

    def watched(doc: Any) -> Any:
        prepared = prepare(doc)
        embedded.set()
        return prepared

    monkeypatch.setattr(services.kb, "prepare", watched)
    text = "# 模具保养规定\n\n## 1 保养\n\n冲压模具每生产五千次保养一次，保养记录保存两年。\n"
    upload = {"file": ("MJ-01.md", text.encode())}
    form = {"kind": "procedure", "org": "mojuco"}
    with ThreadPoolExecutor(1) as pool:
        with services.write_lock:  # another upload mid-write
            pending = pool.submit(client.post, "/v1/documents", files=upload, data=form)
            assert embedded.wait(120)
            assert not pending.done()
        response = pending.result(timeout=60)
    assert response.status_code == 201, response.text
    assert client.delete("/v1/documents/MJ-01").status_code == 200


def test_eval_reports(client: TestClient, tmp_path: Path) -> None:
    services = client.app.state.services  # type: ignore[attr-defined]
    services.settings = services.settings.model_copy(update={"eval_reports_dir": tmp_path})
    assert client.get("/v1/eval-reports").json() == {"reports": []}
    folder = tmp_path / "20261102T080000Z"
    folder.mkdir()
    (folder / "answers.json").write_text('{"groups": {"all": {"faithfulness": 1.0}}}')
    (folder / "metrics.png").write_bytes(b"\x89PNG fake")
    listed = client.get("/v1/eval-reports").json()["reports"]
    assert [(r["id"], r["files"]) for r in listed] == [
        ("20261102T080000Z", ["answers.json", "metrics.png"])
    ]
    report = client.get("/v1/eval-reports/20261102T080000Z").json()
    assert report["data"]["answers.json"]["groups"]["all"]["faithfulness"] == 1.0
    assert report["plots"] == ["metrics.png"]
    plot = client.get("/v1/eval-reports/20261102T080000Z/plots/metrics.png")
    assert plot.headers["content-type"] == "image/png" and plot.content == b"\x89PNG fake"
