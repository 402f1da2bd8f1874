"""The reply object shared by the library, CLI and API."""

from __future__ import annotations

from pydantic import BaseModel, Field

from assistant.schema import Kind


class Citation(BaseModel):
    n: int = Field(description="The [n] marker used in the answer")
    doc_id: str
    title: str
    kind: Kind
    org: str
    ref: str
    text: str
    score: float
    source: str = ""


class Reply(BaseModel):
    answer: str
    citations: list[Citation]
    refused: bool
    conversation_id: str
    rewritten_question: str
    timings_ms: dict[str, float] = Field(default_factory=dict)
    generator: str = Field(default="extractive", description="extractive | llm")
    warnings: list[str] = Field(default_factory=list)
    turn: int = Field(default=0, description="Index of this turn in the conversation")
