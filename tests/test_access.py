"""Orgs, users, keys, scopes and the audit log."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.access import (
    AccessError,
    AccessStore,
    NotAllowed,
    NotVisible,
    Principal,
    Role,
    hash_key,
    read_org_names,
)
from assistant.db import make_engine
from assistant.settings import get_settings
from tests.conftest import CLIENTS_DIR, CORPUS_DIR


@pytest.fixture()
def access() -> AccessStore:
    store = AccessStore(make_engine("sqlite://"))
    for org in ("huarui", "hengli", "jinglian"):
        store.add_org(org)
    return store


def test_scopes_by_role() -> None:
    staff = Principal("li", Role.staff, frozenset({"huarui"}))
    consultant = Principal("wang", Role.consultant, frozenset({"hengli"}))
    admin = Principal("root", Role.admin)
    assert staff.readable() == {"huarui", "public"} and staff.home_org == "huarui"
    assert consultant.readable() == {"hengli", "public"}
    assert admin.readable() is None and admin.scope() is None
    assert consultant.scope() == ["hengli", "public"]
    assert consultant.scope(["hengli"]) == ["hengli"]
    with pytest.raises(NotVisible):
        consultant.scope(["jinglian"])
    with pytest.raises(NotVisible):
        staff.check_write("hengli")
    with pytest.raises(NotAllowed):
        staff.check_write("public")  # readable, but only an admin changes public documents
    consultant.check_write("hengli")
    admin.check_write("public")
    with pytest.raises(NotAllowed):
        staff.require(Role.trainer)
    admin.require(Role.trainer)


def test_keys_are_random_hashed_and_revocable(access: AccessStore) -> None:
    user, key = access.add_user("wang", Role.consultant, ["hengli", "jinglian"])
    assert user.orgs == ["hengli", "jinglian"]
    second = access.issue_key("wang")
    assert key != second and key.startswith("cg_") and len(key) > 40
    with access.engine.connect() as conn:
        stored = " ".join(str(row) for row in conn.exec_driver_sql("SELECT * FROM api_keys"))
    assert key not in stored and hash_key(key) in stored

    principal = access.authenticate(key)
    assert principal == Principal("wang", Role.consultant, frozenset({"hengli", "jinglian"}))
    assert access.authenticate("cg_not-a-key") is None and access.authenticate("") is None
    assert access.revoke(key) == 1
    assert access.authenticate(key) is None
    assert access.authenticate(second) is not None
    assert access.revoke(second[:12]) == 1 and access.authenticate(second) is None
    assert access.revoke(second[:12]) == 0  # already revoked
    third = access.issue_key("wang")
    assert access.revoke(user_name="wang") == 1 and access.authenticate(third) is None


def test_bad_requests_are_refused(access: AccessStore) -> None:
    with pytest.raises(AccessError, match="unknown org"):
        access.add_user("li", Role.staff, ["nope"])
    with pytest.raises(AccessError, match="one org"):
        access.add_user("li", Role.staff, ["huarui", "hengli"])
    with pytest.raises(AccessError, match="admin"):
        access.add_user("root", Role.admin, ["huarui"])
    with pytest.raises(AccessError, match="invalid org id"):
        access.add_org("Bad Org")
    access.add_user("li", Role.staff, ["huarui"])
    with pytest.raises(AccessError, match="already exists"):
        access.add_user("li", Role.trainer, ["huarui"])
    with pytest.raises(AccessError, match="unknown user"):
        access.issue_key("nobody")


def test_orgs_rename_and_register(access: AccessStore) -> None:
    access.add_org("hengli", "恒力起重机械配件有限公司")
    access.ensure_orgs(["hengli", "newclient"])
    assert {o.id: o.name for o in access.orgs()}["hengli"] == "恒力起重机械配件有限公司"
    assert access.org("newclient") is not None and access.org("missing") is None


def test_orgs_import_from_a_file(access: AccessStore, tmp_path: Path) -> None:
    names = tmp_path / "orgs.json"
    names.write_text('{"hengli": "恒力", "newclient": "新客户有限公司"}', encoding="utf-8")
    assert [o.id for o in access.import_orgs(names)] == ["hengli", "newclient"]
    assert {o.id: o.name for o in access.orgs()}["newclient"] == "新客户有限公司"
    for bad in ('["hengli"]', '{"hengli": 3}', "{", "\udcff"):
        names.write_text(bad, encoding="utf-8", errors="surrogateescape")
        with pytest.raises(AccessError, match="orgs"):
            access.import_orgs(names)
    with pytest.raises(AccessError, match="cannot read"):
        access.import_orgs(tmp_path / "missing.json")
    assert len(access.orgs()) == 4  # nothing half-imported


def test_the_sample_orgs_file_names_every_corpus_org() -> None:
    """Setup, the evaluation and the tests read the sample orgs' names from one file."""
    names = read_org_names(CORPUS_DIR / "orgs.json")
    clients = {p.name for p in CLIENTS_DIR.iterdir() if p.is_dir()}
    assert set(names) == clients | {get_settings().home_org}
    assert all(names.values())


def test_audit_log(access: AccessStore) -> None:
    wang = Principal("wang", Role.consultant, frozenset({"hengli"}))
    access.audit(wang, "POST /v1/ask", ["hengli", "public"], "恒力的内审多久一次？")
    access.audit(Principal("root", Role.admin), "POST /v1/search", None, "x", 404)
    entries = access.audit_log()
    assert [e.user for e in entries] == ["root", "wang"]  # newest first
    assert entries[1].orgs == ["hengli", "public"] and entries[1].detail == "恒力的内审多久一次？"
    assert entries[0].orgs is None and entries[0].status == 404
    assert [e.user for e in access.audit_log(user_name="wang")] == ["wang"]
