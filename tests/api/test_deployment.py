"""Beyond one process: two API processes against one Chroma server and one PostgreSQL
database (both real, started here). What one process writes, the other serves."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass

import httpx
import pytest

from assistant.access import AccessStore, Role
from assistant.db import make_engine
from tests.server import (
    chroma_server,
    free_port,
    new_database,
    postgres,
    postgres_binaries,
    running,
    serve_command,
)

pytestmark = [
    pytest.mark.server,
    pytest.mark.skipif(postgres_binaries() is None, reason="PostgreSQL: run `make postgres`"),
]
PROCEDURE = (
    "---\nid: DP-QP-01\ntitle: 叉车安全管理程序\nkind: procedure\norg: dpco\n---\n\n"
    "# 叉车安全管理程序\n\n## 1 点检\n\n叉车司机每班开车前做一次点检，点检表交设备科存档。\n"
)


@dataclass
class Deployment:
    first: httpx.Client
    second: httpx.Client
    admin_key: str


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    root = tmp_path_factory.mktemp("deployment")
    with ExitStack() as stack:
        server = stack.enter_context(postgres(root / "postgres.log"))
        database = new_database(server, "certguide")
        chroma = stack.enter_context(chroma_server(root / "chroma", root / "chroma.log"))
        _, admin_key = AccessStore(make_engine(database)).add_user("boss", Role.admin)
        env = {
            "CERTGUIDE_DATABASE_URL": database,
            "CERTGUIDE_CHROMA_HOST": "127.0.0.1",
            "CERTGUIDE_CHROMA_PORT": str(chroma),
            "CERTGUIDE_ANONYMOUS_ROLE": "",
            "CERTGUIDE_LEXICAL_REFRESH_SECONDS": "0.5",
        }
        clients = []
        for name in ("first", "second"):
            port = free_port()
            url = f"http://127.0.0.1:{port}"
            command = serve_command(root / name, port)  # its data dir holds only a cache
            stack.enter_context(running(command, f"{url}/ready", root / f"{name}.log", env))
            headers = {"Authorization": f"Bearer {admin_key}"}
            clients.append(stack.enter_context(httpx.Client(base_url=url, headers=headers,
                                                            timeout=300)))  # fmt: skip
        yield Deployment(clients[0], clients[1], admin_key)


def _eventually(check: object, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return True
        time.sleep(0.25)
    return False


def test_an_upload_to_one_process_is_searched_by_the_other(deployment: Deployment) -> None:
    upload = deployment.first.post(
        "/v1/documents", files={"file": ("DP-QP-01.md", PROCEDURE.encode())}, data={"org": "dpco"}
    )
    assert upload.status_code == 201, upload.text

    def found() -> bool:
        reply = deployment.second.post(
            "/v1/search", json={"question": "叉车多久点检一次", "org": "dpco", "k": 3}
        )
        return reply.status_code == 200 and any(
            hit["doc_id"] == "DP-QP-01" for hit in reply.json()["hits"]
        )

    assert _eventually(found)
    assert deployment.second.delete("/v1/documents/DP-QP-01").status_code == 200
    assert _eventually(lambda: not found())


def test_a_key_made_in_one_process_and_revoked_in_the_other(deployment: Deployment) -> None:
    assert deployment.second.post("/v1/orgs", json={"id": "wangco", "name": "王氏五金"}).is_success
    user = {"name": "wang", "role": "staff", "orgs": ["wangco"]}
    made = deployment.second.post("/v1/users", json=user)
    assert made.status_code == 201, made.text
    key = made.json()["key"]
    as_wang = {"Authorization": f"Bearer {key}"}
    assert deployment.first.get("/v1/orgs", headers=as_wang).status_code == 200
    revoked = deployment.first.post("/v1/keys/revoke", json={"key": key})
    assert revoked.json() == {"revoked": 1}
    assert deployment.second.get("/v1/orgs", headers=as_wang).status_code == 401
