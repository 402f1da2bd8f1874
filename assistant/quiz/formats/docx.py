"""Word: the question paper, then a page break and a separate answer sheet (答案与解析),
so the paper pages can be printed without the answers."""

from __future__ import annotations

import io
from collections.abc import Sequence

import docx
from docx.enum.text import WD_BREAK

from assistant.quiz.formats.plain import answer_lines, answer_number, parse_block, question_lines
from assistant.quiz.schema import Question

ANSWER_SHEET = "答案与解析"


def write(title: str, questions: Sequence[Question]) -> bytes:
    document = docx.Document()
    document.add_heading(title, level=1)
    for n, question in enumerate(questions, 1):
        for line in question_lines(n, question):
            document.add_paragraph(line)
        if not question.options:
            document.add_paragraph("")
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    document.add_heading(ANSWER_SHEET, level=1)
    for n, question in enumerate(questions, 1):
        first, *rest = answer_lines(question)
        document.add_paragraph(f"{n}. {first}")
        for line in rest:
            document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def read(data: bytes) -> list[Question]:
    paragraphs = [p.text.strip() for p in docx.Document(io.BytesIO(data)).paragraphs]
    split = paragraphs.index(ANSWER_SHEET)
    papers: list[list[str]] = []
    for line in paragraphs[1:split]:
        if not line:
            continue
        if question_lines_start(line):
            papers.append([line])
        elif papers:
            papers[-1].append(line)
    answers: dict[int, list[str]] = {}
    current = 0
    for line in paragraphs[split + 1 :]:
        numbered = answer_number(line)
        if numbered:
            current, line = numbered
            answers[current] = []
        if current and line:
            answers[current].append(line)
    parsed = (parse_block(lines + answers.get(n, [])) for n, lines in enumerate(papers, 1))
    return [q for q in parsed if q is not None]


def question_lines_start(line: str) -> bool:
    return parse_block([line]) is not None
