"""Client isolation through the real HTTP server: a consultant of 恒力 (hengli) probes 精联
(jinglian) on every route with questions made from jinglian's own procedures, and gets none
of it; keys are required, roles enforced, revoked keys stop working, everything is audited."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from assistant.api.errors import HEADLINES
from assistant.ingest.chunking import Chunker
from assistant.ingest.convert import load_document
from tests.conftest import CLIENTS_DIR, CORPUS_DIR
from tests.server import certguide_command, checkout_env, free_port, running, serve_command

pytestmark = pytest.mark.server
FOREIGN = CLIENTS_DIR / "jinglian"
MIN_PROBES = 200
CJK_RE = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class Deployment:
    url: str
    data_dir: Path
    keys: dict[str, str]

    def client(self, user: str | None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.keys[user]}"} if user else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=120)

    def cli(self, *args: str) -> str:
        done = subprocess.run(
            [*certguide_command(), "--data-dir", str(self.data_dir), *args],
            check=True,
            capture_output=True,
            text=True,
            env=checkout_env(),
        )
        return done.stdout


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    root = tmp_path_factory.mktemp("isolation")
    data_dir = root / "data"
    setup = Deployment("", data_dir, {})
    setup.cli("ingest", str(CORPUS_DIR / "standards"), str(CORPUS_DIR / "regulations"),
              str(CLIENTS_DIR))  # fmt: skip
    setup.cli("orgs", "add", "hengli", "--name", "恒力起重机械配件有限公司")
    setup.cli("orgs", "add", "jinglian", "--name", "精联汽车连接器有限公司")
    for name, role, orgs in (
        ("wang", "consultant", "hengli"),
        ("zhao", "consultant", "jinglian"),
        ("li", "staff", "hengli"),
        ("sun", "trainer", "hengli"),
        ("root", "admin", ""),
    ):
        extra = ["--orgs", orgs] if orgs else []
        out = setup.cli("users", "add", name, "--role", role, *extra)
        setup.keys[name] = out.strip().splitlines()[-1]
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with running(serve_command(data_dir, port), f"{url}/ready", root / "api.log"):
        yield Deployment(url, data_dir, setup.keys)


@pytest.fixture(scope="module")
def foreign() -> dict[str, object]:
    """jinglian's documents: ids, passages, and questions written from its own text."""
    doc_ids, texts, questions = set(), set(), []
    for path in sorted(FOREIGN.glob("*.md")):
        doc = load_document(path)
        doc_ids.add(doc.doc_id)
        for chunk in Chunker().chunk(doc):
            texts.add(chunk.text)
            sentences = re.split(r"[。；\n]", chunk.text)
            sentence = next(
                (x for x in sentences if len(re.findall(r"[\u4e00-\u9fff]", x)) > 12), ""
            )
            if sentence and "JL-" not in sentence:
                questions.append(f"{doc.title}里「{sentence.strip()[:50]}」是怎么规定的？")
    questions += [
        "供应商季度评分低于多少分会被降为C级？",
        "关键特性的Cpk要达到多少？",
        "客户投诉多长时间内要完成围堵？",
        "端子压接高度用什么控制图？",
        "精联的管理评审一年开几次？",
    ]
    return {"doc_ids": doc_ids, "texts": texts, "questions": questions}


def _without_echo(payload: object) -> object:
    """Replies repeat the (rewritten) question, which was written from jinglian's text."""
    if isinstance(payload, dict):
        return {k: _without_echo(v) for k, v in payload.items() if k != "rewritten_question"}
    if isinstance(payload, list):
        return [_without_echo(v) for v in payload]
    return payload


def leaked(payload: object, foreign: dict[str, object]) -> list[str]:
    """Every trace of jinglian in a reply: its org, its document ids, its passages."""
    found = []
    text = json.dumps(_without_echo(payload), ensure_ascii=False)
    if "jinglian" in text:
        found.append("org jinglian")
    found += [d for d in foreign["doc_ids"] if d in text]  # type: ignore[attr-defined]
    found += [t[:30] for t in foreign["texts"] if len(t) > 20 and t[:40] in text]  # type: ignore[attr-defined]
    return found


def sse_payloads(response: httpx.Response) -> list[object]:
    return [json.loads(line[5:]) for line in response.text.splitlines() if line.startswith("data:")
            and line.strip() != "data: [DONE]"]  # fmt: skip


def test_keys_are_required_and_checked(deployment: Deployment) -> None:
    with deployment.client(None) as anonymous:
        assert anonymous.get("/health").status_code == 200  # probes stay open
        for method, path in (("GET", "/v1/documents"), ("POST", "/v1/search"),
                             ("GET", "/v1/conversations"), ("GET", "/v1/me")):  # fmt: skip
            response = anonymous.request(method, path, json={"question": "内审"})
            assert response.status_code == 401, (path, response.text)
            assert response.headers["www-authenticate"] == "Bearer"
        bad = anonymous.get("/v1/me", headers={"Authorization": "Bearer cg_forged"})
        assert bad.status_code == 401 and bad.json()["error"]["code"] == "unauthorized"


def test_roles(deployment: Deployment) -> None:
    with deployment.client("wang") as wang, deployment.client("li") as li:
        me = wang.get("/v1/me").json()
        assert me["role"] == "consultant" and [o["id"] for o in me["orgs"]] == ["hengli", "public"]
        assert wang.post("/v1/users", json={"name": "x", "role": "admin"}).status_code == 403
        assert wang.get("/v1/audit").status_code == 403
        public_doc = "iso9001-2015-clauses"
        assert li.get(f"/v1/documents/{public_doc}").status_code == 200
        assert li.delete(f"/v1/documents/{public_doc}").status_code == 403  # read, not write
        upload = li.post("/v1/documents", files={"file": ("x.md", "# 标题\n\n正文内容。".encode())},
                         data={"org": "public"})  # fmt: skip
        assert upload.status_code == 403


def test_a_consultant_gets_nothing_of_another_client(
    deployment: Deployment, foreign: dict[str, object]
) -> None:
    questions: list[str] = foreign["questions"]  # type: ignore[assignment]
    probes = 0
    leaks: list[tuple[str, str, list[str]]] = []

    def check(route: str, question: str, payload: object) -> None:
        nonlocal probes
        probes += 1
        # a refusal may name what was asked about; only what the question did not say counts
        if found := [f for f in leaked(payload, foreign) if f not in question]:
            leaks.append((route, question, found))

    with deployment.client("zhao") as zhao, deployment.client("wang") as wang:
        # zhao (jinglian's consultant) really sees jinglian: the probes would find it if allowed
        own = zhao.post("/v1/search", json={"question": questions[0], "k": 5}).json()["hits"]
        assert own and own[0]["org"] == "jinglian"
        zhao_conversation = zhao.post("/v1/ask", json={"question": questions[1]}).json()
        assert zhao_conversation["citations"]

        for question in questions:
            body = {"question": question, "k": 10}
            check("search", question, wang.post("/v1/search", json=body).json())
            reply = wang.post("/v1/ask", json={"question": question})
            assert reply.status_code == 200
            check("ask", question, reply.json())
        for question in questions[:40]:
            chat = wang.post("/v1/chat", json={"question": question})
            check("chat", question, sse_payloads(chat))
            completion = wang.post(
                "/v1/chat/completions", json={"messages": [{"role": "user", "content": question}]}
            )
            check("chat/completions", question, completion.json())
            streamed = wang.post("/v1/chat/completions", json={
                "messages": [{"role": "user", "content": question}], "stream": True})  # fmt: skip
            check("chat/completions stream", question, sse_payloads(streamed))

        # naming the other client anywhere is answered like an unknown org
        for body in (
            {"question": questions[2], "org": "jinglian"},
            {"question": questions[2], "filters": {"orgs": ["jinglian"]}},
            {"question": questions[2], "filters": {"orgs": ["hengli", "jinglian"]}},
        ):
            for route in ("/v1/search", "/v1/ask", "/v1/chat"):
                response = wang.post(route, json=body)
                probes += 1
                assert response.status_code == 404, (route, body, response.text)
                assert "jinglian" not in response.text or "unknown org" in response.text
        for doc_id in sorted(foreign["doc_ids"]):  # type: ignore[call-overload]
            by_id = wang.post("/v1/search", json={"question": questions[3],
                                                 "filters": {"doc_ids": [doc_id]}})  # fmt: skip
            check("search by doc id", doc_id, by_id.json())
            for response in (wang.get(f"/v1/documents/{doc_id}"),
                             wang.delete(f"/v1/documents/{doc_id}")):  # fmt: skip
                probes += 1
                assert response.status_code == 404
                message = f"{HEADLINES['not_found']} / unknown document {doc_id!r}"
                error = {"code": "not_found", "message": message}
                assert response.json() == {"error": error}
        listed = wang.get("/v1/documents").json()
        check("documents list", "-", listed)
        assert {d["org"] for d in listed["documents"]} == {"hengli", "public"}
        probes += 1
        assert wang.get("/v1/documents", params={"org": "jinglian"}).status_code == 404

        # another user's conversation does not exist for wang
        conversation_id = zhao_conversation["conversation_id"]
        follow_up = {"question": "那多久一次？", "conversation_id": conversation_id}
        for response in (
            wang.get(f"/v1/conversations/{conversation_id}"),
            wang.post("/v1/ask", json=follow_up),
            wang.post("/v1/chat", json=follow_up),
            wang.post("/v1/feedback", json={"conversation_id": conversation_id, "turn": 0,
                                            "rating": 1}),
        ):  # fmt: skip
            probes += 1
            assert response.status_code == 404, response.text
        mine = wang.get("/v1/conversations").json()["conversations"]
        # a conversation's title is wang's own first question (made from jinglian's text)
        check("conversations list", "-", [{**c, "title": ""} for c in mine])
        assert conversation_id not in {c["id"] for c in mine}

        upload = wang.post("/v1/documents", data={"org": "jinglian"},
                           files={"file": ("x.md", "# 标题\n\n正文内容。".encode())})  # fmt: skip
        probes += 1
        assert upload.status_code == 404
        report = wang.get("/v1/orgs/jinglian/gap-report")
        probes += 1
        assert report.status_code == 404 and "供应商" not in report.text

    assert probes >= MIN_PROBES, probes
    assert not leaks, leaks[:5]


def test_quizzes_stay_in_their_org(deployment: Deployment, foreign: dict[str, object]) -> None:
    quiz_body = {"org": "jinglian", "sources": {"procedure": "JL-QP-07"}, "n": 4,
                 "types": ["单选", "判断"], "seed": 1, "llm": False}  # fmt: skip
    with deployment.client("root") as root:
        created = root.post("/v1/quizzes", json=quiz_body)
        assert created.status_code == 201, created.text
        quiz = created.json()
    with deployment.client("wang") as wang, deployment.client("sun") as sun:
        assert wang.post("/v1/quizzes", json=quiz_body).status_code == 403  # not a trainer
        assert sun.post("/v1/quizzes", json=quiz_body).status_code == 404  # not his org
        own_org = {**quiz_body, "org": "hengli"}
        for sources in ({"orgs": ["jinglian"]}, {"doc_ids": ["JL-QP-07"]}):
            response = sun.post("/v1/quizzes", json={**own_org, "sources": sources})
            assert response.status_code in (404, 422), response.text
            if response.status_code == 422:  # (404 names the org sun asked for, nothing more)
                assert not leaked(response.json(), foreign)
        quiz_id = quiz["id"]
        question = quiz["questions"][0]
        for response in (
            wang.get(f"/v1/quizzes/{quiz_id}"),
            wang.get(f"/v1/quizzes/{quiz_id}/export", params={"format": "gift"}),
            sun.put(f"/v1/quizzes/{quiz_id}", json={"questions": []}),
            sun.patch(f"/v1/quizzes/{quiz_id}/questions/0", json={"stem": "改"}),
            sun.post(f"/v1/quizzes/{quiz_id}/questions", json=question),
            sun.delete(f"/v1/quizzes/{quiz_id}/questions/0"),
            sun.delete(f"/v1/quizzes/{quiz_id}"),
        ):
            assert response.status_code == 404, response.text
        for user in (wang, sun):
            assert quiz_id not in {q["id"] for q in user.get("/v1/quizzes").json()["quizzes"]}
        # a question pointing at jinglian's document gets no passage from it
        hengli_quiz = sun.post(
            "/v1/quizzes", json={**own_org, "sources": {"procedure": "HL-QP-12"}}
        )
        assert hengli_quiz.status_code == 201, hengli_quiz.text
        smuggled = {**question, "source": {**question["source"], "passage": ""}}
        added = sun.post(f"/v1/quizzes/{hengli_quiz.json()['id']}/questions", json=smuggled)
        assert added.status_code == 201
        last = added.json()["questions"][-1]
        assert last["flagged"] and not leaked(last["source"].get("passage", ""), foreign)


def test_gap_report_over_http(deployment: Deployment) -> None:
    with deployment.client("wang") as wang:
        report = wang.get("/v1/orgs/hengli/gap-report").json()
        assert report["org"] == "hengli"
        calls = {item["ref"]: item for item in report["items"]}
        assert calls["9.3"]["status"] == "missing" and calls["9.2"]["status"] == "covered"
        assert {h["org"] for i in report["items"] for h in i["evidence"]} == {"hengli"}
        markdown = wang.get("/v1/orgs/hengli/gap-report", params={"format": "md"})
        assert markdown.headers["content-type"].startswith("text/markdown")
        assert "恒力起重机械配件有限公司" in markdown.text
        for file_format in ("xlsx", "docx"):  # Office files are zip archives
            office = wang.get("/v1/orgs/hengli/gap-report", params={"format": file_format})
            assert office.content[:2] == b"PK"
            assert f"gap-report-hengli.{file_format}" in office.headers["content-disposition"]
        assert wang.get("/v1/orgs/hengli/gap-report", params={"format": "pdf"}).status_code == 422
        assert wang.get("/v1/orgs/public/gap-report").status_code == 404


def test_audit_log_and_revocation(deployment: Deployment) -> None:
    with deployment.client("wang") as wang:
        assert wang.post("/v1/ask", json={"question": "恒力的内审多久一次？"}).status_code == 200
    with deployment.client("root") as root:
        entries = root.get("/v1/audit", params={"user": "wang", "limit": 1000}).json()
        asked = [e for e in entries if e["detail"] == "恒力的内审多久一次？"]
        assert asked and asked[0]["orgs"] == ["hengli", "public"] and asked[0]["status"] == 200
        assert any(e["status"] == 404 and e["orgs"] for e in entries)  # the probes, recorded
    assert "revoked 1 key(s)" in deployment.cli("keys", "revoke", deployment.keys["wang"][:12])
    with deployment.client("wang") as wang:
        assert wang.get("/v1/me").status_code == 401
        assert wang.post("/v1/search", json={"question": "内审"}).status_code == 401
    audit = deployment.cli("audit", "--user", "wang", "--limit", "3")
    assert "恒力的内审多久一次？" in audit
