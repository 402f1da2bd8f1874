"""Conversations and feedback, persisted with SQLAlchemy (SQLite by default).

A database URL rather than a file keeps the scale-out path open: several API processes
can share one server database instead of a local SQLite file.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from assistant.answer.schema import Citation, Reply
from assistant.db.tables import conversations, feedback, turns
from assistant.schema import UTCDateTime


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
