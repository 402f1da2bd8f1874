"""The library entry point: a selection in, validated questions and a report out."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.knowledge import KnowledgeBase
from assistant.quiz.generate import Build, QuizBuilder, Reworder, empty_selection
from assistant.quiz.schema import Difficulty, QuestionType, Selection
from assistant.quiz.sources import distractor_pool, select_passages


def make_quiz(
    kb: KnowledgeBase,
    selection: Selection,
    n: int,
    types: Sequence[QuestionType] = (),
    seed: int = 0,
    difficulty: Difficulty = Difficulty.medium,
    reword: Reworder | None = None,
) -> Build:
    passages = select_passages(kb.store, selection)
    if not passages:
        raise empty_selection()
    builder = QuizBuilder(passages, distractor_pool(kb.store, passages), difficulty, reword)
    return builder.build(n, types, seed)
