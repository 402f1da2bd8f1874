"""Aiken: single-answer questions only, so 多选 and 填空 are left out; 判断 becomes a
two-option question (A. 正确 B. 错误) and reads back as 判断."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.quiz.formats.common import NO_SOURCE, flat
from assistant.quiz.schema import FALSE, LETTERS, TRUE, Question, QuestionType

_OPTION_RE = re.compile(r"^([A-H])[.)]\s*(.*)$")


def supported(question: Question) -> bool:
    return question.type in (QuestionType.single, QuestionType.judge)


def write(title: str, questions: Sequence[Question]) -> bytes:
    blocks = []
    for question in filter(supported, questions):
        if question.type is QuestionType.judge:
            options, answer = [TRUE, FALSE], "A" if question.answer == [TRUE] else "B"
        else:
            options, answer = question.options, question.answer[0]
        lines = [flat(question.stem)]
        lines += [f"{LETTERS[i]}. {flat(o)}" for i, o in enumerate(options)]
        lines.append(f"ANSWER: {answer}")
        blocks.append("\n".join(lines))
    return ("\n\n".join(blocks) + "\n").encode("utf-8")


def read(data: bytes) -> list[Question]:
    questions = []
    for block in re.split(r"\n\s*\n", data.decode("utf-8-sig").strip()):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        options = [m.group(2) for m in map(_OPTION_RE.match, lines[1:-1]) if m]
        letter = lines[-1].removeprefix("ANSWER:").strip()
        if options == [TRUE, FALSE]:
            answer = [TRUE if letter == "A" else FALSE]
            questions.append(Question(type=QuestionType.judge, stem=lines[0], answer=answer,
                                      source=NO_SOURCE))  # fmt: skip
        else:
            questions.append(Question(type=QuestionType.single, stem=lines[0], options=options,
                                      answer=[letter], source=NO_SOURCE))  # fmt: skip
    return questions
