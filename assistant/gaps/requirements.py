"""What a gap report judges an org against: ISO 9001 clauses 4.1–10.3 and the XK licence
obligations, read from the versioned data file beside this module (requirements.yaml), not
from the index, so deleting or re-chunking a document cannot change or break a report."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field

REQUIREMENTS_FILE = Path(__file__).with_name("requirements.yaml")


class Requirement(BaseModel):
    framework: Literal["ISO9001", "XK"]
    ref: str
    title: str
    required: str = Field(description="What is required, in our words")
    evidence: list[str] = Field(description="What an auditor asks to see")
    subject: list[str] = Field(
        default_factory=list,
        description="Words one of which a passage must name to count as evidence (XK: the licence)",
    )
    articles: list[str] = Field(default_factory=list, description="XK: the articles it rests on")
    checks: dict[str, list[str]] = Field(
        default_factory=dict, description="XK: words each article must contain (tested)"
    )

    @property
    def text(self) -> str:
        """The requirement as one text: the source of its terms and of its query."""
        return f"{self.title}。{self.required}"

    @property
    def named_by(self) -> list[str]:
        """Words one of which evidence must contain: the subject, or the title itself when
        every record an auditor asks for is named after it (管理评审计划, 管理评审报告): a
        procedure that never says 管理评审 does not hold a management review, however much
        of 评审/计划/报告 it shares."""
        if self.subject:
            return self.subject
        if self.evidence and all(self.title in record for record in self.evidence):
            return [self.title]
        return []

    @property
    def parent(self) -> str | None:
        """The clause a three-level ISO subclause belongs to (9.3.2 -> 9.3)."""
        return self.ref.rsplit(".", 1)[0] if self.ref.count(".") == 2 else None


class Requirements(BaseModel):
    version: str
    iso9001: list[Requirement]
    xk: list[Requirement]

    @property
    def all(self) -> list[Requirement]:
        return [*self.iso9001, *self.xk]


@cache
def load_requirements(path: Path = REQUIREMENTS_FILE) -> Requirements:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for framework, key in (("ISO9001", "iso9001"), ("XK", "xk")):
        data[key] = [{**entry, "framework": framework} for entry in data[key]]
    return Requirements.model_validate(data)
