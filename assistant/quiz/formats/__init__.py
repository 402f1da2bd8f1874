"""Export formats for learning systems, each with a parser so an export reads back."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.quiz.formats import aiken, docx, gift, moodle, plain, xlsx
from assistant.quiz.generate import QuizError
from assistant.quiz.schema import Question

Writer = Callable[[str, Sequence[Question]], bytes]
Reader = Callable[[bytes], list[Question]]


@dataclass(frozen=True)
class Format:
    name: str
    extension: str
    media_type: str
    write: Writer
    read: Reader
    description: str


_OFFICE = "application/vnd.openxmlformats-officedocument"
FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("gift", "gift.txt", "text/plain; charset=utf-8", gift.write, gift.read,
               "Moodle GIFT"),
        Format("moodle", "xml", "application/xml", moodle.write, moodle.read, "Moodle XML"),
        Format("aiken", "aiken.txt", "text/plain; charset=utf-8", aiken.write, aiken.read,
               "Aiken（仅单选、判断）"),
        Format("xlsx", "xlsx", f"{_OFFICE}.spreadsheetml.sheet", xlsx.write, xlsx.read, "Excel"),
        Format("docx", "docx", f"{_OFFICE}.wordprocessingml.document", docx.write, docx.read,
               "Word（试卷 + 单独的答案页）"),
        Format("text", "txt", "text/plain; charset=utf-8", plain.write, plain.read,
               "中文纯文本导入格式"),
    )
}  # fmt: skip


def get_format(name: str) -> Format:
    found = FORMATS.get(name.strip().lower())
    if found is None:
        raise QuizError(
            "unknown_format",
            f"不支持的导出格式「{name}」，可选：{', '.join(FORMATS)} "
            f"(unknown format {name!r}; supported: {', '.join(FORMATS)})",
        )
    return found
