"""Typed requests and replies of the HTTP API."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field

from assistant.access import Org, Role, User
from assistant.conversations import Conversation
from assistant.quiz import (
    MAX_QUESTIONS,
    Difficulty,
    QuestionType,
    Quiz,
    Selection,
    Source,
)
from assistant.quiz import Question as QuizQuestion
from assistant.quiz.schema import LETTERS
from assistant.reports import ReportSummary
from assistant.schema import MAX_QUESTION_CHARS, DocumentRecord, Hit, Kind, readable_question


class Filters(BaseModel):
    kinds: list[Kind] = Field(default_factory=list)
    orgs: list[str] = Field(default_factory=list)
    doc_ids: list[str] = Field(default_factory=list)


Question = Annotated[
    str,
    Field(min_length=1, max_length=MAX_QUESTION_CHARS, description="In Chinese"),
    AfterValidator(readable_question),
]


class AskRequest(BaseModel):
    question: Question
    conversation_id: str | None = Field(default=None, max_length=64)
    org: str | None = Field(default=None, max_length=64)
    filters: Filters | None = None


class SearchRequest(BaseModel):
    question: Question
    k: int = Field(default=5, ge=1, le=50)
    org: str | None = Field(default=None, max_length=64)
    filters: Filters | None = None


class SearchReply(BaseModel):
    hits: list[Hit]


class DocumentList(BaseModel):
    documents: list[DocumentRecord]


class ChunkOut(BaseModel):
    chunk_id: str
    ref: str
    section: str
    text: str
    position: int


class DocumentDetail(BaseModel):
    document: DocumentRecord
    chunks: list[ChunkOut]


class IngestReply(BaseModel):
    status: Literal["added", "updated", "unchanged"]
    document: DocumentRecord


class DeleteReply(BaseModel):
    deleted: str


MAX_TURN = 1_000_000  # far beyond any conversation; SQLite holds 64-bit integers only


class FeedbackRequest(BaseModel):
    conversation_id: str = Field(max_length=64)
    turn: int = Field(ge=0, le=MAX_TURN)
    rating: Literal[-1, 1] = Field(description="1 = 👍, -1 = 👎")
    comment: str = Field(default="", max_length=2000)


class FeedbackReply(BaseModel):
    id: int


class ConversationList(BaseModel):
    conversations: list[Conversation]


class ReportList(BaseModel):
    reports: list[ReportSummary]


class ChatMessage(BaseModel):
    role: Literal["system", "user", "assistant", "tool", "developer"]
    content: str | list[dict[str, Any]] | None = None

    def text(self) -> str:
        if isinstance(self.content, str):
            return self.content
        if isinstance(self.content, list):
            return "".join(str(p.get("text", "")) for p in self.content if p.get("type") == "text")
        return ""


class ChatCompletionRequest(BaseModel):
    model: str = "certguide"
    messages: list[ChatMessage] = Field(min_length=1, max_length=100)
    stream: bool = False
    user: str | None = None
    org: str | None = Field(default=None, max_length=64, description="CertGuide: answer from")
    # accepted for client compatibility; the answer is composed from sources
    temperature: float | None = None
    max_tokens: int | None = None


class ErrorBody(BaseModel):
    code: str
    message: str


class ErrorReply(BaseModel):
    error: ErrorBody


class QuizCreate(BaseModel):
    title: str = Field(default="", max_length=200)
    org: str | None = Field(default=None, max_length=64, description="Owner org; None = public")
    sources: Selection = Field(default_factory=Selection)
    n: int = Field(default=10, ge=1, le=MAX_QUESTIONS)
    types: list[QuestionType] = Field(default_factory=lambda: list(QuestionType), min_length=1)
    seed: int = 0
    difficulty: Difficulty = Difficulty.medium
    llm: bool = Field(default=True, description="Let a configured LLM word the stems")


class QuizList(BaseModel):
    quizzes: list[Quiz]


class QuizUpdate(BaseModel):
    title: str | None = Field(default=None, max_length=200)
    questions: list[QuizQuestion] = Field(max_length=MAX_QUESTIONS)


class QuestionPatch(BaseModel):
    type: QuestionType | None = None
    stem: str | None = Field(default=None, min_length=1, max_length=2000)
    options: list[str] | None = Field(default=None, max_length=len(LETTERS))
    answer: list[str] | None = Field(default=None, max_length=len(LETTERS))
    explanation: str | None = None
    source: Source | None = None


class Me(BaseModel):
    name: str
    role: Role
    orgs: list[Org] = Field(description="Orgs this caller may read, public included")
    writable: list[str] = Field(description="Orgs this caller may upload to (admin: all)")


class OrgRequest(BaseModel):
    id: str = Field(max_length=64)
    name: str = Field(default="", max_length=200)


class UserRequest(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    role: Role
    orgs: list[str] = Field(default_factory=list, max_length=50)


class NewUser(BaseModel):
    user: User
    key: str = Field(description="Shown once; only its hash is stored")


class RevokeRequest(BaseModel):
    key: str | None = Field(default=None, description="The key or its 12-character prefix")
    user: str | None = Field(default=None, description="Revoke all of this user's keys")


class Revoked(BaseModel):
    revoked: int
