"""Opening a database migrates it to the newest schema: a database made before migrations
existed keeps every row, gains what it lacked, and the stores read it as before."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import inspect

from assistant.access import AccessStore, Role, hash_key
from assistant.conversations import ConversationStore
from assistant.db import make_engine
from assistant.db.engine import MIGRATIONS, current_revision, upgrade
from assistant.db.tables import metadata
from assistant.quiz.store import QuizStore

SCHEMA = Path(__file__).with_name("schema_before_migrations.sql")
KEY = "cg_" + "k" * 43
WHEN = "2026-11-02 08:00:00.000000"


def _old_database(path: Path, with_owner: bool = True) -> None:
    """Today's schema (or the one before conversations had owners) with a row in each table."""
    schema = SCHEMA.read_text(encoding="utf-8")
    if not with_owner:
        schema = schema.replace("\towner VARCHAR(100), \n", "").replace(
            "CREATE INDEX ix_conversations_owner ON conversations (owner);", ""
        )
    with sqlite3.connect(path) as db:
        db.executescript(schema)
        db.execute("INSERT INTO orgs VALUES ('acme', 'Acme 电器', ?)", (WHEN,))
        db.execute("INSERT INTO users VALUES (1, 'li', 'consultant', ?)", (WHEN,))
        db.execute("INSERT INTO user_orgs VALUES (1, 'acme')")
        db.execute(
            "INSERT INTO api_keys VALUES (1, 1, ?, ?, ?, NULL)", (KEY[:12], hash_key(KEY), WHEN)
        )
        db.execute(
            "INSERT INTO audit_log VALUES (1, ?, 'li', 'consultant', 'ask', '[\"acme\"]', '', 200)",
            (WHEN,),
        )
        columns = "id, org, owner, title" if with_owner else "id, org, title"
        values = "'c1', 'acme', 'li', '换证'" if with_owner else "'c1', 'acme', '换证'"
        db.execute(
            f"INSERT INTO conversations ({columns}, created_at, updated_at) "
            f"VALUES ({values}, ?, ?)",
            (WHEN, WHEN),
        )
        db.execute(
            "INSERT INTO turns VALUES (1, 'c1', 1, '证书几年有效？', '证书几年有效？', '5年。', 0, "
            "'[]', ?)",
            (WHEN,),
        )
        db.execute("INSERT INTO feedback VALUES (1, 'c1', 1, 1, '好', ?)", (WHEN,))


def _head() -> str:
    return sorted(p.stem.split("_")[0] for p in (MIGRATIONS / "versions").glob("[0-9]*.py"))[-1]


@pytest.mark.parametrize("with_owner", [True, False], ids=["today", "before-owners"])
def test_an_old_sqlite_database_is_migrated_without_loss(tmp_path: Path, with_owner: bool) -> None:
    path = tmp_path / "certguide.db"
    _old_database(path, with_owner)
    engine = make_engine(f"sqlite:///{path}")

    assert current_revision(engine) == _head()
    assert set(inspect(engine).get_table_names()) >= set(metadata.tables)
    conversations = ConversationStore(engine)
    conversation = conversations.get("c1")
    assert (conversation.org, conversation.title) == ("acme", "换证")
    assert [(t.question, t.answer) for t in conversation.turns] == [("证书几年有效？", "5年。")]
    assert conversations.owner("c1") == ("li" if with_owner else None)
    access = AccessStore(engine)
    principal = access.authenticate(KEY)
    assert principal is not None
    assert (principal.name, principal.role, principal.orgs) == ("li", Role.consultant, {"acme"})
    assert [o.name for o in access.orgs()] == ["Acme 电器"]
    assert [e.action for e in access.audit_log()] == ["ask"]
    assert QuizStore(engine).list() == []  # the quiz tables it lacked were made
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT rating, comment FROM feedback").fetchall() == [(1, "好")]


def test_a_migrated_database_is_left_alone_the_next_time(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'certguide.db'}"
    engine = make_engine(url)
    conversation = ConversationStore(engine).create(org="acme", title="t", owner="li")
    upgrade(make_engine(url))
    assert ConversationStore(make_engine(url)).owner(conversation) == "li"


def test_every_table_of_the_code_is_made_by_the_migrations(tmp_path: Path) -> None:
    """A new table or column in ``db/tables.py`` needs a revision: the migrated schema and
    the code's must not drift apart."""
    engine = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    found = inspect(engine)
    for name, table in metadata.tables.items():
        assert {c["name"] for c in found.get_columns(name)} == set(table.columns.keys()), name
