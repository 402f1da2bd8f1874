"""Optional LLM wording: validated like any question; a dead endpoint changes nothing."""

from __future__ import annotations

import pytest

from assistant.answer.llm import LLMGenerator
from assistant.knowledge import KnowledgeBase
from assistant.quiz import QuestionType, Selection, make_quiz, validate
from assistant.quiz.wording import LLMWording
from tests.answer import test_llm
from tests.server import free_port

llm_url = test_llm.llm_url  # the real llama.cpp server fixture
SELECTION = Selection(procedure="HR-QP-05")
TYPES = [QuestionType.single, QuestionType.blank]


def wording(kb: KnowledgeBase, base_url: str) -> LLMWording:
    settings = kb.settings.model_copy(update={"llm_base_url": base_url, "llm_timeout_seconds": 120})
    return LLMWording(LLMGenerator(settings))


def test_dead_endpoint_keeps_the_plain_wording(corpus_kb: KnowledgeBase) -> None:
    dead = wording(corpus_kb, f"http://127.0.0.1:{free_port()}/v1")
    worded = make_quiz(corpus_kb, SELECTION, 4, TYPES, seed=3, reword=dead)
    plain = make_quiz(corpus_kb, SELECTION, 4, TYPES, seed=3)
    assert dead.failed and worded.report.llm_reworded == 0
    assert [q.public() for q in worded.questions] == [q.public() for q in plain.questions]


@test_llm.needs_local_llm
@pytest.mark.server
def test_local_llm_wording_passes_the_same_validation(
    corpus_kb: KnowledgeBase, llm_url: str
) -> None:
    plain = make_quiz(corpus_kb, SELECTION, 3, TYPES, seed=3)
    worded = make_quiz(corpus_kb, SELECTION, 3, TYPES, seed=3, reword=wording(corpus_kb, llm_url))
    assert all(validate(q) == [] for q in worded.questions)
    changed = [(p, w) for p, w in zip(plain.questions, worded.questions, strict=True)
               if p.stem != w.stem]  # fmt: skip
    assert len(changed) == worded.report.llm_reworded
    for before, after in changed:
        assert after.stem.endswith(before.stem) and after.answer == before.answer
