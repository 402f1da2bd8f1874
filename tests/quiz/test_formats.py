"""Every export parses back to the same questions (Aiken: the types it can hold)."""

from __future__ import annotations

import pytest

from assistant.quiz import Build, QuestionType, QuizError
from assistant.quiz.formats import FORMATS, aiken, get_format
from assistant.quiz.formats.gift import escape, unescape


@pytest.mark.parametrize("name", ["gift", "moodle", "xlsx", "docx", "text"])
def test_export_round_trips(corpus_quiz: Build, name: str) -> None:
    fmt = FORMATS[name]
    data = fmt.write("华瑞 2026 年度双证联动培训 ISO 9001:2015", corpus_quiz.questions)
    back = fmt.read(data)
    assert [q.public() for q in back] == [q.public() for q in corpus_quiz.questions]


def test_aiken_keeps_single_and_true_false(corpus_quiz: Build) -> None:
    kept = [q for q in corpus_quiz.questions if aiken.supported(q)]
    assert {q.type for q in kept} == {QuestionType.single, QuestionType.judge}
    back = aiken.read(aiken.write("t", corpus_quiz.questions))
    strip = ("type", "stem", "options", "answer")
    assert [{k: q.public()[k] for k in strip} for q in back] == [
        {k: q.public()[k] for k in strip} for q in kept
    ]


def test_gift_and_moodle_look_like_their_formats(corpus_quiz: Build) -> None:
    gift = FORMATS["gift"].write("t", corpus_quiz.questions).decode()
    assert "::Q1 " in gift and "####" in gift and "{TRUE" not in gift
    assert "\\:" in escape("ISO 9001:2015") and unescape(escape("a{b}~=#:c")) == "a{b}~=#:c"
    xml = FORMATS["moodle"].write("t", corpus_quiz.questions).decode()
    assert '<question type="truefalse">' in xml and '<question type="shortanswer">' in xml
    assert "<single>false</single>" in xml and "certguide_source" in xml


def test_unknown_format_is_a_clear_error() -> None:
    with pytest.raises(QuizError, match="unknown format 'pdf'") as error:
        get_format("pdf")
    assert error.value.code == "unknown_format" and "不支持" in str(error.value)
