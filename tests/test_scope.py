"""Which org a question is answered from: name phenomena and the resolution rules, as
tables (no evaluation question among them)."""

from __future__ import annotations

import pytest

from assistant.access import Org, Principal, Role
from assistant.scope import OrgNames, ScopeSource, org_aliases, question_scope, resolve_scope

ORGS = [
    Org(id="huarui", name="华瑞线缆有限公司"),
    Org(id="hengli", name="恒力起重机械配件有限公司"),
    Org(id="jinglian", name="精联汽车连接器有限公司"),
]
HOME = "huarui"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("华瑞线缆有限公司", {"华瑞线缆", "华瑞"}),  # legal form off, then the trade name
        ("上海华瑞线缆有限公司", {"上海华瑞线缆", "华瑞"}),  # a place name opens it
        ("深圳市恒力机械股份有限公司", {"深圳市恒力机械", "恒力"}),
        ("恒力集团", {"恒力"}),
        ("华瑞", {"华瑞"}),  # already short: nothing cut
    ],
)
def test_aliases_of_a_company_name(name: str, expected: set[str]) -> None:
    assert expected <= org_aliases("x1", name)


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("恒力的不合格品由谁评审？", ["hengli"]),
        ("精联汽车连接器有限公司的内审多久一次", ["jinglian"]),
        ("HengLi 的供应商分几级", ["hengli"]),  # the id, any case
        ("精联和华瑞的管理评审有什么不同", ["jinglian", "huarui"]),  # order of mention
        ("不合格品由谁评审？", []),
    ],
)
def test_orgs_named_in_a_question(question: str, named: list[str]) -> None:
    assert OrgNames.of((o.id, o.name) for o in ORGS).named(question) == named


def _scope(
    question: str, principal: Principal, chosen: str | None = None
) -> tuple[list[str], ScopeSource]:
    scope = question_scope(question, principal, ORGS, HOME, chosen)
    return scope.orgs, scope.source


STAFF = Principal("s", Role.staff, frozenset({"huarui"}))
ADMIN = Principal("a", Role.admin)
ONE_CLIENT = Principal("c", Role.consultant, frozenset({"hengli"}))
TWO_CLIENTS = Principal("c2", Role.consultant, frozenset({"hengli", "jinglian"}))


@pytest.mark.parametrize(
    ("question", "principal", "chosen", "orgs", "source"),
    [
        # staff and an admin without a choice: the own org plus public, never every client
        ("不合格品由谁评审？", STAFF, None, ["huarui", "public"], ScopeSource.default),
        ("不合格品由谁评审？", ADMIN, None, ["huarui", "public"], ScopeSource.default),
        # a consultant: the only client, or public until one of several is chosen
        ("不合格品由谁评审？", ONE_CLIENT, None, ["hengli", "public"], ScopeSource.default),
        ("不合格品由谁评审？", TWO_CLIENTS, None, ["public"], ScopeSource.default),
        ("不合格品由谁评审？", TWO_CLIENTS, "jinglian", ["jinglian", "public"], ScopeSource.chosen),
        # a named org the asker reads sets the scope; one it may not read yields public only
        ("恒力的不合格品由谁评审？", ADMIN, None, ["hengli", "public"], ScopeSource.named),
        ("恒力的不合格品由谁评审？", TWO_CLIENTS, "jinglian", ["hengli", "public"],
         ScopeSource.named),
        ("恒力的不合格品由谁评审？", STAFF, None, ["public"], ScopeSource.named_unreadable),
        ("华瑞的内审怎么做？", ONE_CLIENT, None, ["public"], ScopeSource.named_unreadable),
        # 咱们 / 本公司 is the asker's own company, even with a client chosen
        ("咱们的不合格品谁评审？", ADMIN, "hengli", ["huarui", "public"], ScopeSource.own),
        ("本公司的质量目标是多少", ADMIN, "jinglian", ["huarui", "public"], ScopeSource.own),
        # a consultant's 我们 is the client they work on
        ("我们的不合格品谁评审？", TWO_CLIENTS, "hengli", ["hengli", "public"],
         ScopeSource.chosen),
    ],
)  # fmt: skip
def test_scope_rules(
    question: str,
    principal: Principal,
    chosen: str | None,
    orgs: list[str],
    source: ScopeSource,
) -> None:
    assert _scope(question, principal, chosen) == (orgs, source)


def test_resolution_asks_only_about_the_named_org() -> None:
    """Readability is asked of the named org alone, so nothing about other orgs leaks."""
    asked: list[str] = []

    def can_read(org: str) -> bool:
        asked.append(org)
        return False

    names = OrgNames.of((o.id, o.name) for o in ORGS)
    scope = resolve_scope("精联的内审多久一次", names, can_read, own_org="huarui")
    assert scope.orgs == ["public"] and asked == ["jinglian"]
