"""Moodle GIFT. The source span travels in a ``// certguide-source:`` comment line, which
Moodle ignores and our parser reads back."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.quiz.formats.common import NO_SOURCE, SOURCE_MARK, source_from_json, source_json
from assistant.quiz.schema import FALSE, LETTERS, TRUE, Question, QuestionType

_SPECIAL_RE = re.compile(r"([~=#{}:\\])")
_ESCAPED_RE = re.compile(r"\\(.)")


def escape(text: str) -> str:
    return _SPECIAL_RE.sub(r"\\\1", text).replace("\n", "\\n")


def unescape(text: str) -> str:
    return _ESCAPED_RE.sub(lambda m: "\n" if m.group(1) == "n" else m.group(1), text.strip())


def _answers(question: Question) -> list[str]:
    if question.type is QuestionType.judge:
        return ["TRUE" if question.answer == [TRUE] else "FALSE"]
    if question.type is QuestionType.blank:
        return [f"={escape(a)}" for a in question.answer]
    correct = set(question.answer)
    if question.type is QuestionType.single:
        return [
            ("=" if LETTERS[i] in correct else "~") + escape(option)
            for i, option in enumerate(question.options)
        ]
    share = f"{100 / len(correct):.5g}"
    return [
        f"~%{share if LETTERS[i] in correct else '-100'}%{escape(option)}"
        for i, option in enumerate(question.options)
    ]


def write(title: str, questions: Sequence[Question]) -> bytes:
    blocks = [f"// {escape(title)}\n$CATEGORY: {escape(title)}"]
    for n, question in enumerate(questions, 1):
        lines = [f"// {SOURCE_MARK} {source_json(question)}"]
        lines.append(f"::Q{n} {question.type.value}::{escape(question.stem)} {{")
        lines += [f"  {answer}" for answer in _answers(question)]
        if question.explanation:
            lines.append(f"  ####{escape(question.explanation)}")
        lines.append("}")
        blocks.append("\n".join(lines))
    return ("\n\n".join(blocks) + "\n").encode("utf-8")


def _split_unescaped(text: str, marks: str) -> list[tuple[str, str]]:
    """(mark, text) pieces that start at an unescaped mark character."""
    pieces: list[tuple[str, str]] = []
    current, mark, i = "", "", 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            current += text[i : i + 2]
            i += 2
            continue
        if ch in marks:
            if mark or current.strip():
                pieces.append((mark, current))
            mark, current = ch, ""
        else:
            current += ch
        i += 1
    if mark or current.strip():
        pieces.append((mark, current))
    return pieces


def _unescaped_index(text: str, ch: str) -> int:
    i = 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == ch:
            return i
        i += 1
    return -1


def _question(block: str, source_line: str) -> Question:
    name_match = re.match(r"::((?:\\.|[^:])*)::", block)
    name = unescape(name_match.group(1)) if name_match else ""
    body = block[name_match.end() :] if name_match else block
    open_at = _unescaped_index(body, "{")
    close_at = body.rindex("}")
    stem, inner = unescape(body[:open_at]), body[open_at + 1 : close_at]
    explanation = ""
    feedback_at = inner.find("####")
    if feedback_at >= 0:
        inner, explanation = inner[:feedback_at], unescape(inner[feedback_at + 4 :])
    source = source_from_json(source_line) if source_line else NO_SOURCE
    qtype, options, answer = _kind(name, inner)
    return Question(type=qtype, stem=stem, options=options, answer=answer,
                    explanation=explanation, source=source)  # fmt: skip


def _kind(name: str, inner: str) -> tuple[QuestionType, list[str], list[str]]:
    """Type, options and answer from the text between the braces."""
    if inner.strip() in ("TRUE", "T", "FALSE", "F"):
        return QuestionType.judge, [], [TRUE if inner.strip().startswith("T") else FALSE]
    pieces = [(mark, unescape(text)) for mark, text in _split_unescaped(inner, "=~")]
    if all(mark == "=" for mark, _ in pieces):
        return QuestionType.blank, [], [text for _, text in pieces]
    options: list[str] = []
    answer: list[str] = []
    multiple = any(re.match(r"^%-?[\d.]+%", text) for _, text in pieces)
    for i, (mark, text) in enumerate(pieces):
        weight = re.match(r"^%(-?[\d.]+)%", text)
        if weight:
            text = text[weight.end() :]
        if mark == "=" or (weight and float(weight.group(1)) > 0):
            answer.append(LETTERS[i])
        options.append(text)
    qtype = QuestionType.multiple if multiple or name.endswith("多选") else QuestionType.single
    return qtype, options, answer


def read(data: bytes) -> list[Question]:
    questions = []
    source_line = ""
    for block in re.split(r"\n\s*\n", data.decode("utf-8-sig")):
        lines = []
        for line in block.splitlines():
            stripped = line.strip()
            if stripped.startswith(f"// {SOURCE_MARK}"):
                source_line = stripped.removeprefix(f"// {SOURCE_MARK}").strip()
            elif stripped and not stripped.startswith(("//", "$CATEGORY")):
                lines.append(stripped)
        if lines:
            questions.append(_question("\n".join(lines), source_line))
            source_line = ""
    return questions
