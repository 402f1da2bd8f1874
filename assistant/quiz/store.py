"""Quizzes and their questions in the conversations database (SQLAlchemy; SQLite default).

``org`` and ``created_by`` are stored now so that access control can scope quizzes later
without a migration. Every edit re-validates the question and sets ``flagged`` when it no
longer matches its source span.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Row,
    delete,
    select,
    update,
)
from sqlalchemy.engine import Connection, Engine

from assistant.db.tables import quiz_questions, quizzes
from assistant.quiz.check import revalidated
from assistant.quiz.schema import (
    Difficulty,
    GenerationReport,
    Question,
    QuestionType,
    Quiz,
    Selection,
    Source,
)
from assistant.schema import DEFAULT_ORG


class QuizNotFound(KeyError):
    pass


def _now() -> datetime:
    return datetime.now(UTC)


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _question_row(quiz_id: str, position: int, question: Question) -> dict[str, object]:
    return {
        "quiz_id": quiz_id,
        "position": position,
        "type": question.type.value,
        "stem": question.stem,
        "options": _dumps(question.options),
        "answer": _dumps(question.answer),
        "explanation": question.explanation,
        "source": question.source.model_dump_json(),
        "flagged": question.flagged,
        "problems": _dumps(question.problems),
    }


def _question(row: Row[Any]) -> Question:
    return Question(
        type=QuestionType(row.type),
        stem=row.stem,
        options=json.loads(row.options),
        answer=json.loads(row.answer),
        explanation=row.explanation,
        source=Source.model_validate_json(row.source),
        flagged=row.flagged,
        problems=json.loads(row.problems),
    )


class QuizStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create(
        self,
        title: str,
        questions: Sequence[Question],
        *,
        org: str | None = None,
        created_by: str | None = None,
        selection: Selection | None = None,
        seed: int = 0,
        difficulty: Difficulty = Difficulty.medium,
        report: GenerationReport | None = None,
    ) -> Quiz:
        quiz_id = uuid.uuid4().hex
        now = _now()
        with self.engine.begin() as conn:
            conn.execute(
                quizzes.insert().values(
                    id=quiz_id,
                    title=title[:200],
                    org=org,
                    created_by=created_by,
                    selection=(selection or Selection()).model_dump_json(),
                    seed=seed,
                    difficulty=difficulty.value,
                    report=report.model_dump_json() if report else None,
                    created_at=now,
                    updated_at=now,
                )
            )
            self._write_questions(conn, quiz_id, questions)
        return self.get(quiz_id)

    @staticmethod
    def _write_questions(conn: Connection, quiz_id: str, questions: Sequence[Question]) -> None:
        conn.execute(delete(quiz_questions).where(quiz_questions.c.quiz_id == quiz_id))
        rows = [_question_row(quiz_id, i, revalidated(q)) for i, q in enumerate(questions)]
        if rows:
            conn.execute(quiz_questions.insert(), rows)

    def _head(self, conn: Connection, quiz_id: str) -> Row[Any]:
        head = conn.execute(select(quizzes).where(quizzes.c.id == quiz_id)).first()
        if head is None:
            raise QuizNotFound(quiz_id)
        return head

    def get(self, quiz_id: str) -> Quiz:
        with self.engine.connect() as conn:
            head = self._head(conn, quiz_id)
            rows = conn.execute(
                select(quiz_questions)
                .where(quiz_questions.c.quiz_id == quiz_id)
                .order_by(quiz_questions.c.position)
            ).all()
        return self._quiz(head, [_question(r) for r in rows])

    @staticmethod
    def _quiz(head: Row[Any], questions: list[Question]) -> Quiz:
        report = head.report
        return Quiz(
            id=head.id,
            title=head.title,
            org=head.org,
            created_by=head.created_by,
            selection=Selection.model_validate_json(head.selection),
            seed=head.seed,
            difficulty=Difficulty(head.difficulty),
            report=GenerationReport.model_validate_json(report) if report else None,
            created_at=head.created_at,
            updated_at=head.updated_at,
            questions=questions,
        )

    def list(
        self, org: str | None = None, limit: int = 100, orgs: Sequence[str] | None = None
    ) -> list[Quiz]:
        """Newest first, without questions; ``orgs`` = only quizzes of these orgs (a quiz
        without an org is public)."""
        query = select(quizzes).order_by(quizzes.c.updated_at.desc()).limit(limit)
        if org is not None:
            query = query.where(quizzes.c.org == org)
        if orgs is not None:
            owned = quizzes.c.org.in_([o for o in orgs if o != DEFAULT_ORG])
            query = query.where(owned | quizzes.c.org.is_(None) if DEFAULT_ORG in orgs else owned)
        with self.engine.connect() as conn:
            return [self._quiz(row, []) for row in conn.execute(query).all()]

    def replace(
        self, quiz_id: str, questions: Sequence[Question], title: str | None = None
    ) -> Quiz:
        """New question list (reorder, add, delete, edit at once), each re-validated."""
        with self.engine.begin() as conn:
            self._head(conn, quiz_id)
            self._write_questions(conn, quiz_id, questions)
            values: dict[str, object] = {"updated_at": _now()}
            if title is not None:
                values["title"] = title[:200]
            conn.execute(update(quizzes).where(quizzes.c.id == quiz_id).values(**values))
        return self.get(quiz_id)

    def edit(self, quiz_id: str, position: int, question: Question) -> Quiz:
        questions = self.get(quiz_id).questions
        if not 0 <= position < len(questions):
            raise QuizNotFound(f"{quiz_id}#{position}")
        questions[position] = question
        return self.replace(quiz_id, questions)

    def add(self, quiz_id: str, question: Question, position: int | None = None) -> Quiz:
        questions = self.get(quiz_id).questions
        questions.insert(len(questions) if position is None else position, question)
        return self.replace(quiz_id, questions)

    def remove(self, quiz_id: str, position: int) -> Quiz:
        questions = self.get(quiz_id).questions
        if not 0 <= position < len(questions):
            raise QuizNotFound(f"{quiz_id}#{position}")
        del questions[position]
        return self.replace(quiz_id, questions)

    def move(self, quiz_id: str, position: int, to: int) -> Quiz:
        questions = self.get(quiz_id).questions
        if not (0 <= position < len(questions) and 0 <= to < len(questions)):
            raise QuizNotFound(f"{quiz_id}#{position}")
        questions.insert(to, questions.pop(position))
        return self.replace(quiz_id, questions)

    def delete(self, quiz_id: str) -> None:
        with self.engine.begin() as conn:
            self._head(conn, quiz_id)
            conn.execute(delete(quiz_questions).where(quiz_questions.c.quiz_id == quiz_id))
            conn.execute(delete(quizzes).where(quizzes.c.id == quiz_id))
