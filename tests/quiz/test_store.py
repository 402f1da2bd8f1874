"""Quizzes in SQLite: create, list, edit with re-validation and flags, reorder, delete."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.db import make_engine
from assistant.quiz import Build
from assistant.quiz.store import QuizNotFound, QuizStore


def test_quiz_lifecycle(corpus_quiz: Build, tmp_path: Path) -> None:
    store = QuizStore(make_engine(f"sqlite:///{tmp_path}/q.db"))
    questions = corpus_quiz.questions[:5]
    quiz = store.create("年度培训", questions, org="huarui", created_by="trainer-1",
                        seed=7, report=corpus_quiz.report)  # fmt: skip
    assert [q.public() for q in store.get(quiz.id).questions] == [q.public() for q in questions]
    assert not any(q.flagged for q in quiz.questions)
    assert quiz.org == "huarui" and quiz.created_by == "trainer-1" and quiz.report is not None
    assert [q.id for q in store.list(org="huarui")] == [quiz.id] and store.list(org="x") == []

    first = quiz.questions[0]
    broken = first.model_copy(update={"stem": first.stem + "（已修改为另一说法）"})
    edited = store.edit(quiz.id, 0, broken)
    assert edited.questions[0].flagged and edited.questions[0].problems
    restored = store.edit(quiz.id, 0, first)
    assert not restored.questions[0].flagged

    moved = store.move(quiz.id, 0, 4)
    assert moved.questions[4].stem == first.stem
    removed = store.remove(quiz.id, 4)
    assert len(removed.questions) == 4 and first.stem not in [q.stem for q in removed.questions]
    added = store.add(quiz.id, first, position=0)
    assert added.questions[0].stem == first.stem and len(added.questions) == 5

    store.delete(quiz.id)
    with pytest.raises(QuizNotFound):
        store.get(quiz.id)
    with pytest.raises(QuizNotFound):
        store.remove(quiz.id, 0)
