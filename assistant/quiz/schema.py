"""Quiz records: a question carries its source span, so every answer key can be re-checked."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from assistant.schema import Kind, UTCDateTime

LETTERS = "ABCDEFGH"
BLANK = "（  ）"
TRUE, FALSE = "正确", "错误"


class QuestionType(StrEnum):
    single = "单选"
    multiple = "多选"
    judge = "判断"
    blank = "填空"

    @classmethod
    def parse(cls, name: str) -> QuestionType:
        """单选 or its English alias (single, multiple, judge/true_false, blank/fill)."""
        name = name.strip().removesuffix("题")
        aliases = {
            "single": "单选",
            "multiple": "多选",
            "judge": "判断",
            "true_false": "判断",
            "truefalse": "判断",
            "blank": "填空",
            "fill": "填空",
        }
        return cls(aliases.get(name.lower(), name))


class Difficulty(StrEnum):
    easy = "easy"
    medium = "medium"
    hard = "hard"


class Source(BaseModel):
    """Where a question comes from; ``text`` is an exact span of ``passage``."""

    doc_id: str
    ref: str
    text: str = Field(description="The exact passage span the question is checked against")
    title: str = ""
    kind: str = ""
    chunk_id: str = ""
    passage: str = Field(default="", description="The whole stored passage around the span")


class Question(BaseModel):
    type: QuestionType
    stem: str = Field(min_length=1, max_length=2000)
    options: list[str] = Field(
        default_factory=list, max_length=len(LETTERS), description="Without the A. B. letters"
    )
    answer: list[str] = Field(
        max_length=len(LETTERS), description="Letters, 正确/错误, or the missing text"
    )
    explanation: str = ""
    source: Source
    flagged: bool = False
    problems: list[str] = Field(default_factory=list, description="Why it is flagged")

    def lettered_options(self) -> list[str]:
        return [f"{LETTERS[i]}. {option}" for i, option in enumerate(self.options)]

    def correct_options(self) -> list[str]:
        """The option texts the answer letters point at (empty for 判断/填空)."""
        return [
            self.options[LETTERS.index(a)] for a in self.answer if a in LETTERS[: len(self.options)]
        ]

    def public(self) -> dict[str, Any]:
        """The CLI's ``--json`` shape."""
        return {
            "type": self.type.value,
            "stem": self.stem,
            "options": self.lettered_options(),
            "answer": list(self.answer),
            "explanation": self.explanation,
            "source": {
                "doc_id": self.source.doc_id,
                "ref": self.source.ref,
                "text": self.source.text,
            },
        }


class Selection(BaseModel):
    """Which passages to build from; empty fields mean no restriction."""

    doc_ids: list[str] = Field(default_factory=list)
    kinds: list[Kind] = Field(default_factory=list)
    orgs: list[str] = Field(default_factory=list)
    ref: str = Field(default="", max_length=100, description="第五条-第十条, 7.1-7.5, HR-QP-05 §4")
    procedure: str = Field(default="", max_length=40, description="A procedure code: HR-QP-05")


FACT_NAMES = {"number": "数字", "role": "职责", "modal": "要求", "term": "术语", "items": "列举"}


class GenerationReport(BaseModel):
    generated: int = Field(description="Questions built, including those that failed validation")
    kept: int
    dropped: int = Field(description="Failed validation and were discarded")
    llm_reworded: int = 0
    passages: int = 0
    true_statements: int = Field(default=0, description="判断 whose answer is 正确")
    false_statements: int = Field(default=0, description="判断 whose answer is 错误")
    facts: dict[str, int] = Field(
        default_factory=dict,
        description="Kept questions by the kind of fact asked: number, role, modal, term, items",
    )
    documents: int = Field(default=0, description="Documents the kept questions come from")
    sections: int = Field(default=0, description="Articles, clauses or sections they cover")

    def quality(self) -> str:
        """The trainer's one-line summary: 判断 balance, facts by kind, sources covered."""
        kinds = "、".join(f"{FACT_NAMES.get(k, k)} {n}" for k, n in sorted(self.facts.items()))
        return (
            f"判断 正确 {self.true_statements} / 错误 {self.false_statements}；"
            f"考点：{kinds or '无'}；出自 {self.documents} 份文件的 {self.sections} 处条款或章节"
        )


class Quiz(BaseModel):
    id: str
    title: str
    org: str | None = Field(default=None, description="Owner org; None = public")
    created_by: str | None = None
    selection: Selection = Field(default_factory=Selection)
    seed: int = 0
    difficulty: Difficulty = Difficulty.medium
    report: GenerationReport | None = None
    created_at: UTCDateTime
    updated_at: UTCDateTime
    questions: list[Question] = Field(default_factory=list)
