"""The common Chinese plain-text import layout: 题干 / A. B. C. D. / 答案： / 解析：, plus
出处 and 原文 lines so the source span survives a round trip."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.quiz.formats.common import answer_text, flat, parse_answer
from assistant.quiz.schema import LETTERS, Question, QuestionType, Source

_HEAD_RE = re.compile(r"^(\d+)[.．、]\s*【(单选|多选|判断|填空)题?】\s*(.*)$")
_ANSWER_HEAD_RE = re.compile(r"^(\d+)[.．、]\s*答案[:：]\s*(.*)$")
_OPTION_RE = re.compile(r"^([A-H])[.．、]\s*(.*)$")
_FIELDS = {"答案": "answer", "解析": "explanation", "出处": "source", "原文": "text"}
_FIELD_RE = re.compile(rf"^({'|'.join(_FIELDS)})[:：]\s*(.*)$")


def question_lines(n: int, question: Question) -> list[str]:
    lines = [f"{n}. 【{question.type.value}题】{flat(question.stem)}"]
    lines += [f"{LETTERS[i]}. {flat(o)}" for i, o in enumerate(question.options)]
    return lines


def answer_lines(question: Question) -> list[str]:
    source = question.source
    return [
        f"答案：{answer_text(question)}",
        f"解析：{flat(question.explanation)}",
        f"出处：{source.doc_id}｜{source.ref}",
        f"原文：{source.text}",
    ]


def write(title: str, questions: Sequence[Question]) -> bytes:
    blocks = [title]
    for n, question in enumerate(questions, 1):
        blocks.append("\n".join(question_lines(n, question) + answer_lines(question)))
    return ("\n\n".join(blocks) + "\n").encode("utf-8")


def parse_block(lines: Sequence[str]) -> Question | None:
    """One question from its lines; None for a block that is not a question (the title)."""
    head = _HEAD_RE.match(lines[0]) if lines else None
    if head is None:
        return None
    qtype = QuestionType(head.group(2))
    options: list[str] = []
    fields: dict[str, str] = {}
    for line in lines[1:]:
        option = _OPTION_RE.match(line)
        field = _FIELD_RE.match(line)
        if field:
            fields[_FIELDS[field.group(1)]] = field.group(2).strip()
        elif option and not fields:
            options.append(option.group(2).strip())
    doc_id, _, ref = fields.get("source", "").partition("｜")
    return Question(
        type=qtype,
        stem=head.group(3).strip(),
        options=options,
        answer=parse_answer(qtype, fields.get("answer", "")),
        explanation=fields.get("explanation", ""),
        source=Source(doc_id=doc_id, ref=ref, text=fields.get("text", "")),
    )


def read(data: bytes) -> list[Question]:
    blocks = re.split(r"\n\s*\n", data.decode("utf-8-sig").strip())
    parsed = (parse_block([ln.strip() for ln in b.splitlines() if ln.strip()]) for b in blocks)
    return [q for q in parsed if q is not None]


def answer_number(line: str) -> tuple[int, str] | None:
    """「3. 答案：B」 in an answer sheet → (3, "答案：B")."""
    match = _ANSWER_HEAD_RE.match(line)
    return (int(match.group(1)), f"答案：{match.group(2)}") if match else None
