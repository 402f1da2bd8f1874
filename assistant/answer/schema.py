"""The reply object shared by the library, CLI and API."""

from __future__ import annotations

from pydantic import BaseModel, Field

from assistant.schema import Hit


class Citation(Hit):
    """A hit an answer cites, with the number of its [n] marker."""

    n: int = Field(description="The [n] marker used in the answer")


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
    scope: list[str] | None = Field(
        default=None, description="The orgs the answer could draw on; null = every org"
    )
