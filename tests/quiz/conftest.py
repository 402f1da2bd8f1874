from __future__ import annotations

import pytest

from assistant.knowledge import KnowledgeBase
from assistant.quiz import Build, QuestionType, Selection, make_quiz


@pytest.fixture(scope="session")
def corpus_quiz(corpus_kb: KnowledgeBase) -> Build:
    """40 questions of every type over the whole index (corpus + official texts)."""
    return make_quiz(corpus_kb, Selection(), 40, list(QuestionType), seed=7)
