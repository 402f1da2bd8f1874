"""Excel: one row per question, option columns A–H, answer, 解析 and the source span."""

from __future__ import annotations

import io
from collections.abc import Sequence

import openpyxl
from openpyxl.styles import Alignment, Font

from assistant.quiz.formats.common import answer_text, parse_answer
from assistant.quiz.schema import LETTERS, Question, QuestionType, Source

HEADERS = ["序号", "题型", "题干", *(f"选项{x}" for x in LETTERS), "答案", "解析", "文档ID",
           "条款", "原文"]  # fmt: skip
SHEET = "题目"


def write(title: str, questions: Sequence[Question]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for n, q in enumerate(questions, 1):
        options = q.options + [""] * (len(LETTERS) - len(q.options))
        sheet.append([n, q.type.value, q.stem, *options, answer_text(q), q.explanation,
                      q.source.doc_id, q.source.ref, q.source.text])  # fmt: skip
    for column, width in (("C", 60), ("M", 40), ("P", 60)):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    book.properties.title = title
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read(data: bytes) -> list[Question]:
    sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True)[SHEET]
    rows = sheet.iter_rows(min_row=2, values_only=True)
    questions = []
    for row in rows:
        cells = {h: ("" if v is None else str(v)) for h, v in zip(HEADERS, row, strict=False)}
        if not cells.get("题干"):
            continue
        qtype = QuestionType(cells["题型"])
        options = [cells[f"选项{x}"] for x in LETTERS if cells.get(f"选项{x}")]
        questions.append(
            Question(type=qtype, stem=cells["题干"], options=options,
                     answer=parse_answer(qtype, cells["答案"]), explanation=cells["解析"],
                     source=Source(doc_id=cells["文档ID"], ref=cells["条款"],
                                   text=cells["原文"]))
        )  # fmt: skip
    return questions
