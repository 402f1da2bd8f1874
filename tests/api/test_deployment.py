"""Beyond one process: two API processes against one Chroma server and one PostgreSQL
database (both real, started here). What one process writes, the other serves."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass

import httpx
import pytest

from tests.server import deployment, postgres_binaries

pytestmark = [
    pytest.mark.server,
    pytest.mark.skipif(postgres_binaries() is None, reason="PostgreSQL: run `make postgres`"),
]
PROCEDURE = (
    "---\nid: DP-QP-01\ntitle: 叉车安全管理程序\nkind: procedure\norg: dpco\n---\n\n"
    "# 叉车安全管理程序\n\n## 1 点检\n\n叉车司机每班开车前做一次点检，点检表交设备科存档。\n"
)


@dataclass
class Clients:
    first: httpx.Client
    second: httpx.Client


@pytest.fixture(scope="module")
def clients(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Clients]:
    with deployment(tmp_path_factory.mktemp("deployment")) as running_now, ExitStack() as stack:
        headers = {"Authorization": f"Bearer {running_now.admin_key}"}
        first, second = (
            stack.enter_context(httpx.Client(base_url=url, headers=headers, timeout=300))
            for url in running_now.urls
        )
        yield Clients(first, second)


def _eventually(check: object, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return True
        time.sleep(0.25)
    return False


def test_an_upload_to_one_process_is_searched_by_the_other(clients: Clients) -> None:
    upload = clients.first.post(
        "/v1/documents", files={"file": ("DP-QP-01.md", PROCEDURE.encode())}, data={"org": "dpco"}
    )
    assert upload.status_code == 201, upload.text

    def found() -> bool:
        reply = clients.second.post(
            "/v1/search", json={"question": "叉车多久点检一次", "org": "dpco", "k": 3}
        )
        return reply.status_code == 200 and any(
            hit["doc_id"] == "DP-QP-01" for hit in reply.json()["hits"]
        )

    assert _eventually(found)
    assert clients.second.delete("/v1/documents/DP-QP-01").status_code == 200
    assert _eventually(lambda: not found())


def test_a_key_made_in_one_process_and_revoked_in_the_other(clients: Clients) -> None:
    assert clients.second.post("/v1/orgs", json={"id": "wangco", "name": "王氏五金"}).is_success
    user = {"name": "wang", "role": "staff", "orgs": ["wangco"]}
    made = clients.second.post("/v1/users", json=user)
    assert made.status_code == 201, made.text
    key = made.json()["key"]
    as_wang = {"Authorization": f"Bearer {key}"}
    assert clients.first.get("/v1/orgs", headers=as_wang).status_code == 200
    revoked = clients.first.post("/v1/keys/revoke", json={"key": key})
    assert revoked.json() == {"revoked": 1}
    assert clients.second.get("/v1/orgs", headers=as_wang).status_code == 401
