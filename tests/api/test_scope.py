"""The org scope through the real app (in-process) over an index that holds the consulting
clients' procedures too: staff and the dev-mode admin read the home org plus public, a
consultant reads their client, a named org sets the scope, and no answer mixes two orgs."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from assistant.access import Role, read_org_names
from assistant.api.app import create_app
from assistant.embedding.encoder import Encoder
from assistant.ingest.convert import load_document
from assistant.knowledge import KnowledgeBase
from tests.api.conftest import services_over
from tests.conftest import CLIENTS_DIR, CORPUS_DIR, make_settings

HOME_PROCEDURES = CORPUS_DIR / "procedures" / "huarui"
ORG_NAMES = read_org_names(CORPUS_DIR / "orgs.json")


@pytest.fixture(scope="module")
def clients_kb(
    corpus_kb: KnowledgeBase, encoder: Encoder, tmp_path_factory: pytest.TempPathFactory
) -> KnowledgeBase:
    """The shared corpus index plus both clients (a copy, so the shared one stays as is)."""
    data_dir = tmp_path_factory.mktemp("clients") / "data"
    shutil.copytree(corpus_kb.settings.data_dir, data_dir)
    kb = KnowledgeBase(make_settings(data_dir), encoder)
    report = kb.ingest([CLIENTS_DIR], progress=False)
    assert not report.failed and {d.org for d in kb.documents()} >= set(ORG_NAMES)
    return kb


@pytest.fixture(scope="module")
def app(
    clients_kb: KnowledgeBase, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TestClient, dict[str, str]]]:
    database = tmp_path_factory.mktemp("scope") / "api.db"
    services = services_over(clients_kb, database, anonymous_role="admin")
    for org, name in ORG_NAMES.items():
        services.access.add_org(org, name)
    keys = {}
    for user, role, orgs in (("staff", "staff", ["huarui"]), ("wang", "consultant", ["hengli"]),
                             ("two", "consultant", ["hengli", "jinglian"])):  # fmt: skip
        keys[user] = services.access.add_user(user, Role(role), orgs)[1]
    with TestClient(create_app(services.settings, services)) as client:
        yield client, keys


def company_questions() -> list[str]:
    """Questions on topics every company's procedures cover, in staff's words (咱们, 我们,
    or none), made from the titles of the home org's procedures."""
    titles = [
        load_document(p).title.removesuffix("程序") for p in sorted(HOME_PROCEDURES.glob("*.md"))
    ]
    forms = ["咱们{}是谁负责的？", "我们的{}有哪些要求", "{}里有什么时间要求？"]
    return [form.format(title) for title in titles for form in forms]


def ask(client: TestClient, question: str, key: str | None = None, **body: object) -> dict:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    response = client.post("/v1/ask", json={"question": question, **body}, headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def cited_orgs(reply: dict) -> set[str]:
    return {c["org"] for c in reply["citations"]}


@pytest.mark.parametrize("user", [None, "staff"])  # make run's anonymous admin, and staff
def test_company_questions_cite_only_the_home_org_and_public(
    app: tuple[TestClient, dict[str, str]], user: str | None
) -> None:
    client, keys = app
    questions = company_questions()
    assert len(questions) >= 30
    foreign, home_cited = [], 0
    for question in questions:
        reply = ask(client, question, keys[user] if user else None)
        assert reply["scope"] == ["huarui", "public"]
        orgs = cited_orgs(reply)
        foreign += [(question, org) for org in orgs - {"huarui", "public"}]
        home_cited += "huarui" in orgs
    assert foreign == []
    assert home_cited >= 0.8 * len(questions), home_cited


def test_a_consultant_reads_the_client(app: tuple[TestClient, dict[str, str]]) -> None:
    client, keys = app
    reply = ask(client, "不合格品由谁评审？", keys["wang"])
    assert reply["scope"] == ["hengli", "public"]
    assert "hengli" in cited_orgs(reply) and cited_orgs(reply) <= {"hengli", "public"}
    chosen = ask(client, "内部审核多久做一次？", keys["two"], org="jinglian")
    assert chosen["scope"] == ["jinglian", "public"]
    assert cited_orgs(chosen) <= {"jinglian", "public"}


def test_a_named_org_sets_the_scope(app: tuple[TestClient, dict[str, str]]) -> None:
    client, keys = app
    admin = ask(client, "恒力的不合格品由谁评审？")
    assert admin["scope"] == ["hengli", "public"]
    assert "hengli" in cited_orgs(admin) and cited_orgs(admin) <= {"hengli", "public"}
    staff = ask(client, "恒力的不合格品由谁评审？", keys["staff"])
    assert staff["scope"] == ["public"] and cited_orgs(staff) <= {"public"}
    search = client.post(
        "/v1/search",
        json={"question": "精联的管理评审多久一次", "k": 10},
        headers={"Authorization": f"Bearer {keys['wang']}"},
    )
    assert {h["org"] for h in search.json()["hits"]} <= {"public"}


def test_an_explicit_choice_of_several_orgs_never_mixes_them(
    app: tuple[TestClient, dict[str, str]],
) -> None:
    client, _ = app
    reply = ask(client, "内部审核员可以审核自己的部门吗？",
                filters={"orgs": ["huarui", "hengli", "jinglian", "public"]})  # fmt: skip
    private = cited_orgs(reply) - {"public"}
    assert len(private) <= 1, reply["citations"]
