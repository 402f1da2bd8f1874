"""Pieces the formats share: answer text, source lines, and rebuilding a question."""

from __future__ import annotations

import json
import re

from assistant.quiz.schema import FALSE, LETTERS, TRUE, Question, QuestionType, Source

SOURCE_MARK = "certguide-source:"


def answer_text(question: Question) -> str:
    """AC for 多选, A for 单选, 正确/错误, or the missing text."""
    return "".join(question.answer) if question.options else "；".join(question.answer)


def parse_answer(qtype: QuestionType, text: str) -> list[str]:
    text = text.strip()
    if qtype in (QuestionType.single, QuestionType.multiple):
        return [ch for ch in text.upper() if ch in LETTERS]
    if qtype is QuestionType.judge:
        return [TRUE if text in (TRUE, "对", "T", "TRUE", "√") else FALSE]
    return [part for part in text.split("；") if part]


def source_json(question: Question) -> str:
    source = question.source
    return json.dumps(
        {"doc_id": source.doc_id, "ref": source.ref, "text": source.text}, ensure_ascii=False
    )


def source_from_json(text: str) -> Source:
    data = json.loads(text)
    return Source(doc_id=data["doc_id"], ref=data["ref"], text=data["text"])


NO_SOURCE = Source(doc_id="", ref="", text="")


def flat(text: str) -> str:
    """One line per field; spaces inside (the blank 「（  ）」) stay as they are."""
    return re.sub(r"\s*\n\s*", " ", text.strip())
