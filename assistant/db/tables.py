"""Every table of the database (conversations, access, quizzes) in one MetaData: one
schema, migrated by Alembic (``assistant/db/migrations``), shared by every API process when
``CERTGUIDE_DATABASE_URL`` names a server database."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

# -- conversations -------------------------------------------------------------------------
conversations = Table(
    "conversations",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("org", String(64), nullable=True),
    Column("owner", String(100), nullable=True, index=True),
    Column("title", Text, nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

turns = Table(
    "turns",
    metadata,
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

feedback = Table(
    "feedback",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("conversation_id", String(64), ForeignKey("conversations.id"), index=True),
    Column("turn", Integer, nullable=False),
    Column("rating", Integer, nullable=False),
    Column("comment", Text, nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# -- access --------------------------------------------------------------------------------
orgs_table = Table(
    "orgs",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
users_table = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("role", String(20), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
user_orgs_table = Table(
    "user_orgs",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id"), primary_key=True),
    Column("org_id", String(64), ForeignKey("orgs.id"), primary_key=True),
)
keys_table = Table(
    "api_keys",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", Integer, ForeignKey("users.id"), index=True, nullable=False),
    Column("prefix", String(16), nullable=False, index=True),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)
audit_table = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("user_name", String(100), nullable=False, index=True),
    Column("role", String(20), nullable=False),
    Column("action", String(60), nullable=False),
    Column("orgs", Text, nullable=False),
    Column("detail", Text, nullable=False),
    Column("status", Integer, nullable=False),
)

# -- quizzes -------------------------------------------------------------------------------
quizzes = Table(
    "quizzes",
    metadata,
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

quiz_questions = Table(
    "quiz_questions",
    metadata,
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
