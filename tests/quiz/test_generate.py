"""Generation on the real index: every kept question is proved by its span, seeds repeat."""

from __future__ import annotations

import pytest

from assistant.knowledge import KnowledgeBase
from assistant.quiz import (
    MAX_QUESTIONS,
    Build,
    Difficulty,
    Question,
    QuestionType,
    QuizError,
    Selection,
    make_quiz,
    validate,
)
from assistant.quiz.check import cloze
from assistant.quiz.schema import FALSE, TRUE
from tests.conftest import requires_regulations


def key_in_span(question: Question) -> bool:
    """The answer key, found in the cited span (a true statement is the span itself)."""
    span = question.source.text
    if question.type is QuestionType.judge:
        return (
            question.stem.endswith(span)
            if question.answer == [TRUE]
            else span in (question.source.passage)
        )
    keys = question.correct_options() or question.answer
    located = cloze(question.stem, span)
    assert located is not None
    return all(key in span[located[1] : located[2]] for key in keys)


def check_all(build: Build) -> None:
    assert build.questions
    for question in build.questions:
        assert validate(question) == [], question
        assert key_in_span(question), question
        assert question.source.text in question.source.passage
        assert question.explanation and question.source.text in question.explanation


def test_every_kept_question_is_proved_by_its_span(corpus_quiz: Build) -> None:
    check_all(corpus_quiz)
    report = corpus_quiz.report
    assert report.kept == 40 == len(corpus_quiz.questions)
    assert report.generated == report.kept + report.dropped
    assert {q.type for q in corpus_quiz.questions} == set(QuestionType)
    judged = [q.answer[0] for q in corpus_quiz.questions if q.type is QuestionType.judge]
    assert TRUE in judged and FALSE in judged
    assert len({q.source.text for q in corpus_quiz.questions}) >= 35  # spread over passages


def test_same_seed_same_quiz_other_seed_other_quiz(corpus_kb: KnowledgeBase) -> None:
    selection = Selection(kinds=["procedure"])
    first = make_quiz(corpus_kb, selection, 15, [QuestionType.single], seed=3)
    again = make_quiz(corpus_kb, selection, 15, [QuestionType.single], seed=3)
    other = make_quiz(corpus_kb, selection, 15, [QuestionType.single], seed=4)
    assert [q.public() for q in first.questions] == [q.public() for q in again.questions]
    assert [q.public() for q in first.questions] != [q.public() for q in other.questions]
    check_all(first)


@pytest.mark.parametrize("difficulty", list(Difficulty))
def test_difficulty_settings_all_validate(corpus_kb: KnowledgeBase, difficulty: Difficulty) -> None:
    build = make_quiz(corpus_kb, Selection(kinds=["procedure", "standard"]), 20,
                      list(QuestionType), seed=1, difficulty=difficulty)  # fmt: skip
    check_all(build)
    options = [len(q.options) for q in build.questions if q.type is QuestionType.multiple]
    assert options and max(options) == (5 if difficulty is Difficulty.hard else 4)


def test_selection_by_procedure_ref_range_and_clause(corpus_kb: KnowledgeBase) -> None:
    by_section = make_quiz(corpus_kb, Selection(ref="HR-QP-05 §4.1-4.5"), 6, seed=2)
    assert {q.source.doc_id for q in by_section.questions} == {"HR-QP-05"}
    sections = {q.source.ref.split("§")[1] for q in by_section.questions}
    assert sections <= {"4.1", "4.2", "4.3", "4.4", "4.5"}
    clauses = make_quiz(corpus_kb, Selection(ref="7.1-7.5"), 5, seed=2)
    assert all(q.source.ref.startswith(("7.1", "7.2", "7.3", "7.4", "7.5"))
               for q in clauses.questions)  # fmt: skip
    check_all(clauses)
    summary = make_quiz(corpus_kb, Selection(doc_ids=["xk-regulation-summary"],
                                             ref="第五条-第十条"), 4, seed=2)  # fmt: skip
    refs = {q.source.ref for q in summary.questions}
    assert refs <= {"第五条", "第六条", "第七条", "第八条", "第九条", "第十条"}


@requires_regulations
def test_official_regulation_texts(corpus_kb: KnowledgeBase) -> None:
    build = make_quiz(corpus_kb, Selection(doc_ids=["xk-licence-regulation-2023"]), 25,
                      list(QuestionType), seed=5)  # fmt: skip
    check_all(build)
    assert all(q.source.ref.startswith("第") for q in build.questions)


def test_bad_requests_get_clear_errors(corpus_kb: KnowledgeBase) -> None:
    with pytest.raises(QuizError, match="no passages") as empty:
        make_quiz(corpus_kb, Selection(doc_ids=["no-such-doc"]), 5)
    assert empty.value.code == "empty_selection"
    with pytest.raises(QuizError, match=r"only .* questions") as short:
        make_quiz(corpus_kb, Selection(ref="HR-QP-05 §4.5"), 50)
    assert short.value.code == "not_enough_sources"
    with pytest.raises(QuizError, match=f"1..{MAX_QUESTIONS}"):
        make_quiz(corpus_kb, Selection(), MAX_QUESTIONS + 1)
    with pytest.raises(QuizError) as bad_ref:
        make_quiz(corpus_kb, Selection(ref="第五条到哪里"), 5)
    assert bad_ref.value.code == "bad_ref"
