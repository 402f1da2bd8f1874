"""The same schema and stores on a real PostgreSQL server (Debian's, started for the test):
two processes migrating one new database at once both succeed, and the stores work on it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from assistant.access import AccessStore, Role
from assistant.answer.schema import Reply
from assistant.conversations import ConversationStore
from assistant.db import make_engine
from assistant.db.engine import current_revision
from assistant.quiz.store import QuizStore
from tests.server import checkout_env, new_database, postgres, postgres_binaries

pytestmark = [
    pytest.mark.server,
    pytest.mark.skipif(postgres_binaries() is None, reason="PostgreSQL: run `make postgres`"),
]


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with postgres(tmp_path_factory.mktemp("postgres") / "server.log") as url:
        yield url


def _migrate_in_a_process(url: str) -> subprocess.CompletedProcess[str]:
    code = "import sys; from assistant.db import make_engine; make_engine(sys.argv[1])"
    return subprocess.run(
        [sys.executable, "-c", code, url], capture_output=True, text=True, env=checkout_env()
    )


def test_two_processes_migrate_one_new_database_at_once(server_url: str) -> None:
    url = new_database(server_url, "racing")
    with ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(_migrate_in_a_process, [url, url]))
    assert [r.returncode for r in runs] == [0, 0], [r.stderr[-1500:] for r in runs]
    assert current_revision(make_engine(url)) is not None


def test_the_stores_work_on_postgresql(server_url: str, tmp_path: Path) -> None:
    engine = make_engine(new_database(server_url, "stores"))
    conversations = ConversationStore(engine)
    conversation = conversations.create(org="acme", title="换证", owner="li")
    reply = Reply(
        conversation_id=conversation, answer="5年。", refused=False, citations=[],
        rewritten_question="证书几年有效？",
    )  # fmt: skip
    assert conversations.add_turn(conversation, "证书几年有效？", reply) == 0
    stored = conversations.get(conversation)
    assert [(t.question, t.answer) for t in stored.turns] == [("证书几年有效？", "5年。")]
    assert stored.created_at.tzinfo is not None  # timestamps keep their zone

    access = AccessStore(engine)
    access.add_org("acme", "Acme 电器")
    _, key = access.add_user("li", Role.consultant, ["acme"])
    principal = access.authenticate(key)
    assert principal is not None and principal.orgs == {"acme"}
    assert access.revoke(key) == 1 and access.authenticate(key) is None
    assert QuizStore(engine).list() == []
