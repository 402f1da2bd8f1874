"""Conversations and feedback, persisted with SQLAlchemy (SQLite by default).

A database URL rather than a file keeps the scale-out path open: several API processes
can share one server database instead of a local SQLite file.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field
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
    create_engine,
    event,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import Engine

from assistant.answer.schema import Citation, Reply
from assistant.schema import UTCDateTime
from assistant.settings import Settings

metadata = MetaData()

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


class ConversationNotFound(KeyError):
    pass


class Turn(BaseModel):
    """One question and its reply, as stored (also the API's representation)."""

    turn: int
    question: str
    rewritten_question: str
    answer: str
    refused: bool
    citations: list[Citation]
    created_at: UTCDateTime


class Conversation(BaseModel):
    id: str
    org: str | None
    title: str
    created_at: UTCDateTime
    updated_at: UTCDateTime
    turns: list[Turn] = Field(default_factory=list)


def _now() -> datetime:
    return datetime.now(UTC)


def default_database_url(data_dir: Path) -> str:
    return f"sqlite:///{Path(data_dir).resolve() / 'certguide.db'}"


def database_engine(settings: Settings) -> Engine:
    """The process's one database (conversations, access, quizzes): the configured URL, or
    SQLite in the data dir."""
    return make_engine(settings.database_url or default_database_url(settings.data_dir))


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, future=True)
    if url.startswith("sqlite"):

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection: Any, _: Any) -> None:
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()

    metadata.create_all(engine)
    _add_missing_columns(engine)
    return engine


def _add_missing_columns(engine: Engine) -> None:
    """Databases made before conversations had owners get the column (NULL = nobody's)."""
    present = {c["name"] for c in inspect(engine).get_columns("conversations")}
    if "owner" not in present:
        with engine.begin() as conn:
            conn.execute(text("ALTER TABLE conversations ADD COLUMN owner VARCHAR(100)"))


class ConversationStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create(self, org: str | None = None, title: str = "", owner: str | None = None) -> str:
        conversation_id = uuid.uuid4().hex
        now = _now()
        with self.engine.begin() as conn:
            conn.execute(
                conversations.insert().values(
                    id=conversation_id,
                    org=org,
                    owner=owner,
                    title=title[:200],
                    created_at=now,
                    updated_at=now,
                )
            )
        return conversation_id

    def owner(self, conversation_id: str) -> str | None:
        """Who started it; raises ``ConversationNotFound`` for an unknown id."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(conversations.c.owner).where(conversations.c.id == conversation_id)
            ).first()
        if row is None:
            raise ConversationNotFound(conversation_id)
        return row.owner

    def exists(self, conversation_id: str) -> bool:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(conversations.c.id).where(conversations.c.id == conversation_id)
            ).first()
        return row is not None

    def history(self, conversation_id: str, limit: int = 6) -> list[str]:
        """Earlier rewritten questions, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(turns.c.rewritten_question)
                .where(turns.c.conversation_id == conversation_id)
                .order_by(turns.c.turn.desc())
                .limit(limit)
            ).all()
        return [row[0] for row in reversed(rows)]

    def add_turn(self, conversation_id: str, question: str, reply: Reply) -> int:
        with self.engine.begin() as conn:
            count = conn.execute(
                select(func.count())
                .select_from(turns)
                .where(turns.c.conversation_id == conversation_id)
            ).scalar_one()
            conn.execute(
                turns.insert().values(
                    conversation_id=conversation_id,
                    turn=count,
                    question=question,
                    rewritten_question=reply.rewritten_question,
                    answer=reply.answer,
                    refused=reply.refused,
                    citations=json.dumps(
                        [c.model_dump(mode="json") for c in reply.citations], ensure_ascii=False
                    ),
                    created_at=_now(),
                )
            )
            values: dict[str, Any] = {"updated_at": _now()}
            if count == 0:
                values["title"] = question[:200]
            conn.execute(
                conversations.update().where(conversations.c.id == conversation_id).values(**values)
            )
        return int(count)

    def get(self, conversation_id: str) -> Conversation:
        with self.engine.connect() as conn:
            head = conn.execute(
                select(conversations).where(conversations.c.id == conversation_id)
            ).first()
            if head is None:
                raise ConversationNotFound(conversation_id)
            rows = conn.execute(
                select(turns)
                .where(turns.c.conversation_id == conversation_id)
                .order_by(turns.c.turn)
            ).all()
        return Conversation(
            id=head.id,
            org=head.org,
            title=head.title,
            created_at=head.created_at,
            updated_at=head.updated_at,
            turns=[
                Turn(
                    turn=r.turn,
                    question=r.question,
                    rewritten_question=r.rewritten_question,
                    answer=r.answer,
                    refused=r.refused,
                    citations=[Citation(**c) for c in json.loads(r.citations)],
                    created_at=r.created_at,
                )
                for r in rows
            ],
        )

    def list(
        self, org: str | None = None, limit: int = 50, owner: str | None = None
    ) -> list[Conversation]:
        query = select(conversations).order_by(conversations.c.updated_at.desc()).limit(limit)
        if org is not None:
            query = query.where(conversations.c.org == org)
        if owner is not None:
            query = query.where(conversations.c.owner == owner)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            Conversation(
                id=r.id, org=r.org, title=r.title, created_at=r.created_at, updated_at=r.updated_at
            )
            for r in rows
        ]

    def add_feedback(self, conversation_id: str, turn: int, rating: int, comment: str = "") -> int:
        with self.engine.begin() as conn:
            exists = conn.execute(
                select(turns.c.id).where(
                    (turns.c.conversation_id == conversation_id) & (turns.c.turn == turn)
                )
            ).first()
            if exists is None:
                raise ConversationNotFound(f"{conversation_id}#{turn}")
            result = conn.execute(
                feedback.insert().values(
                    conversation_id=conversation_id,
                    turn=turn,
                    rating=rating,
                    comment=comment[:2000],
                    created_at=_now(),
                )
            )
        return int(result.inserted_primary_key[0])  # type: ignore[index]
