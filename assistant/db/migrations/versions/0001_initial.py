"""The schema as of the first migration: every table (conversations, access, quizzes).

A database made before migrations existed (by ``create_all``) already holds some or all of
these tables, perhaps without ``conversations.owner``: what exists is kept, what is missing is
created. Frozen: a later schema change is a new revision, never an edit here.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String, Text

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _create(name: str, *columns: Any) -> None:
    if not sa.inspect(op.get_bind()).has_table(name):
        op.create_table(name, *columns)


def upgrade() -> None:
    _create(
        "conversations",
        Column("id", String(64), primary_key=True),
        Column("org", String(64), nullable=True),
        Column("owner", String(100), nullable=True, index=True),
        Column("title", Text, nullable=False, default=""),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("updated_at", DateTime(timezone=True), nullable=False),
    )
    _create(
        "turns",
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("conversation_id", String(64), ForeignKey("conversations.id"), index=True),
        Column("turn", Integer, nullable=False),
        Column("question", Text, nullable=False),
        Column("rewritten_question", Text, nullable=False),
        Column("answer", Text, nullable=False),
        Column("refused", Boolean, nullable=False),
        Column("citations", Text, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
    )
    _create(
        "feedback",
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("conversation_id", String(64), ForeignKey("conversations.id"), index=True),
        Column("turn", Integer, nullable=False),
        Column("rating", Integer, nullable=False),
        Column("comment", Text, nullable=False, default=""),
        Column("created_at", DateTime(timezone=True), nullable=False),
    )
    _create(
        "orgs",
        Column("id", String(64), primary_key=True),
        Column("name", Text, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
    )
    _create(
        "users",
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("name", String(100), nullable=False, unique=True),
        Column("role", String(20), nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
    )
    _create(
        "user_orgs",
        Column("user_id", Integer, ForeignKey("users.id"), primary_key=True),
        Column("org_id", String(64), ForeignKey("orgs.id"), primary_key=True),
    )
    _create(
        "api_keys",
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("user_id", Integer, ForeignKey("users.id"), index=True, nullable=False),
        Column("prefix", String(16), nullable=False, index=True),
        Column("key_hash", String(64), nullable=False, unique=True),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("revoked_at", DateTime(timezone=True), nullable=True),
    )
    _create(
        "audit_log",
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("at", DateTime(timezone=True), nullable=False, index=True),
        Column("user_name", String(100), nullable=False, index=True),
        Column("role", String(20), nullable=False),
        Column("action", String(60), nullable=False),
        Column("orgs", Text, nullable=False),
        Column("detail", Text, nullable=False),
        Column("status", Integer, nullable=False),
    )
    _create(
        "quizzes",
        Column("id", String(64), primary_key=True),
        Column("title", Text, nullable=False),
        Column("org", String(64), nullable=True, index=True),
        Column("created_by", String(128), nullable=True),
        Column("selection", Text, nullable=False),
        Column("seed", Integer, nullable=False),
        Column("difficulty", String(16), nullable=False),
        Column("report", Text, nullable=True),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("updated_at", DateTime(timezone=True), nullable=False),
    )
    _create(
        "quiz_questions",
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("quiz_id", String(64), ForeignKey("quizzes.id"), index=True, nullable=False),
        Column("position", Integer, nullable=False),
        Column("type", String(8), nullable=False),
        Column("stem", Text, nullable=False),
        Column("options", Text, nullable=False),
        Column("answer", Text, nullable=False),
        Column("explanation", Text, nullable=False),
        Column("source", Text, nullable=False),
        Column("flagged", Boolean, nullable=False),
        Column("problems", Text, nullable=False),
    )
    present = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("conversations")}
    if "owner" not in present:  # databases made before conversations had owners
        with op.batch_alter_table("conversations") as batch:
            batch.add_column(Column("owner", String(100), nullable=True))
            batch.create_index("ix_conversations_owner", ["owner"])


def downgrade() -> None:
    for name in ("quiz_questions", "quizzes", "audit_log", "api_keys", "user_orgs", "users",
                 "orgs", "feedback", "turns", "conversations"):  # fmt: skip
        op.drop_table(name)
