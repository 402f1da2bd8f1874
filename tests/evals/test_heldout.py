"""The held-out runner asks as each item's asker (the split itself is scored only by hand)."""

from __future__ import annotations

import pytest

from assistant.access import Org, Role, read_org_names
from assistant.schema import DEFAULT_ORG
from evals.heldout import FILES, ORGS_FILE, asker_scope, load_items

ORGS = [Org(id=i, name=n) for i, n in read_org_names(ORGS_FILE).items()]


@pytest.mark.parametrize(
    ("question", "org", "asker", "orgs"),
    [
        ("咱们的不合格品由谁评审？", "huarui", "staff", ["huarui", DEFAULT_ORG]),
        ("不合格品由谁评审？", "hengli", "consultant", ["hengli", DEFAULT_ORG]),
        # a consultant of one client naming another: nothing of that company
        ("精联的不合格品由谁评审？", "hengli", "consultant", [DEFAULT_ORG]),
        # staff naming a client they may not read
        ("恒力的内审多久一次？", "huarui", "staff", [DEFAULT_ORG]),
    ],
)
def test_items_are_asked_in_their_askers_scope(
    question: str, org: str, asker: str, orgs: list[str]
) -> None:
    item = {"question": question, "org": org, "asker": asker}
    assert asker_scope(item, ORGS, "huarui").orgs == orgs


def test_every_item_names_a_known_org_and_role() -> None:
    known = {org.id for org in ORGS}
    for name, _ in FILES:
        items = load_items(name)
        assert items, name
        for item in items:
            assert item["org"] in known, item["id"]
            assert Role(item.get("asker", "staff")) in (Role.staff, Role.consultant), item["id"]
