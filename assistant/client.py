"""A typed HTTP client of the CertGuide API (used by the Streamlit UI, usable by anyone).

Errors come out as two exceptions: ``APIUnavailable`` (nothing answers at the URL) and
``APIRequestError`` (the API answered with its JSON error body).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from types import TracebackType
from typing import Any

import httpx

from assistant.answer.schema import Citation, Reply
from assistant.api.schemas import (
    DocumentDetail,
    Filters,
    IngestReply,
    Me,
    QuestionPatch,
    QuizCreate,
    QuizUpdate,
)
from assistant.conversations import Conversation
from assistant.quiz import Question, Quiz
from assistant.reports import Report, ReportSummary
from assistant.schema import DocumentRecord, GapReport, Kind


class APIUnavailable(Exception):
    """The API did not answer (not started, wrong URL, timed out)."""


class APIRequestError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


def _raise_for_error(response: httpx.Response) -> None:
    if response.is_success:
        return
    try:
        error = response.json()["error"]
        code, message = str(error["code"]), str(error["message"])
    except (ValueError, KeyError, TypeError):
        code, message = "http_error", response.text[:500]
    raise APIRequestError(response.status_code, code, message)


class ChatStream:
    """Iterate to get answer pieces as they arrive; ``reply`` is complete afterwards."""

    def __init__(self, lines: Iterator[str]) -> None:
        self._lines = lines
        self._pieces: list[str] = []
        self._citations: list[Citation] = []
        self._done: dict[str, Any] | None = None

    def __iter__(self) -> Iterator[str]:
        event = ""
        for line in self._lines:
            if line.startswith("event:"):
                event = line.removeprefix("event:").strip()
            elif line.startswith("data:"):
                payload = json.loads(line.removeprefix("data:").strip())
                if event == "answer":
                    self._pieces.append(payload["delta"])
                    yield payload["delta"]
                elif event == "citations":
                    self._citations = [Citation.model_validate(c) for c in payload]
                elif event == "done":
                    self._done = payload
        if self._done is None:
            raise APIUnavailable("the answer stream ended before it was complete")

    @property
    def reply(self) -> Reply:
        if self._done is None:
            raise RuntimeError("read the stream to its end first")
        return Reply(answer="".join(self._pieces), citations=self._citations, **self._done)


class CertGuideClient:
    def __init__(self, base_url: str, timeout: float = 120.0, api_key: str = "") -> None:
        self.base_url = base_url.rstrip("/")
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout, headers=headers)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> CertGuideClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise APIUnavailable(f"{self.base_url}: {exc}") from exc
        _raise_for_error(response)
        return response

    def ready(self) -> dict[str, Any]:
        """``{"status": "ready", "chunks": N, ...}``; raises when not ready."""
        result: dict[str, Any] = self._request("GET", "/ready").json()
        return result

    def me(self) -> Me:
        """Who the key belongs to and which orgs it may read and write."""
        return Me.model_validate(self._request("GET", "/v1/me").json())

    # documents
    def documents(self, kind: Kind | None = None, org: str | None = None) -> list[DocumentRecord]:
        params = {k: v for k, v in (("kind", kind), ("org", org)) if v}
        body = self._request("GET", "/v1/documents", params=params).json()
        return [DocumentRecord.model_validate(d) for d in body["documents"]]

    def document(self, doc_id: str) -> DocumentDetail:
        return DocumentDetail.model_validate(self._request("GET", f"/v1/documents/{doc_id}").json())

    def upload(
        self,
        filename: str,
        content: bytes,
        kind: Kind | None = None,
        org: str | None = None,
        title: str | None = None,
    ) -> IngestReply:
        form = {k: v for k, v in (("kind", kind), ("org", org), ("title", title)) if v}
        response = self._request(
            "POST", "/v1/documents", files={"file": (filename, content)}, data=form
        )
        return IngestReply.model_validate(response.json())

    def delete_document(self, doc_id: str) -> None:
        self._request("DELETE", f"/v1/documents/{doc_id}")

    # answers
    @staticmethod
    def _ask_body(
        question: str, conversation_id: str | None, org: str | None, filters: Filters | None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"question": question, "conversation_id": conversation_id}
        if org:
            body["org"] = org
        if filters is not None:
            body["filters"] = filters.model_dump(mode="json")
        return body

    def ask(
        self,
        question: str,
        conversation_id: str | None = None,
        org: str | None = None,
        filters: Filters | None = None,
    ) -> Reply:
        body = self._ask_body(question, conversation_id, org, filters)
        return Reply.model_validate(self._request("POST", "/v1/ask", json=body).json())

    def chat(
        self,
        question: str,
        conversation_id: str | None = None,
        org: str | None = None,
        filters: Filters | None = None,
    ) -> ChatStream:
        """Stream the answer from /v1/chat (server-sent events)."""
        body = self._ask_body(question, conversation_id, org, filters)

        def lines() -> Iterator[str]:
            try:
                with self._http.stream("POST", "/v1/chat", json=body) as response:
                    if not response.is_success:
                        response.read()
                        _raise_for_error(response)
                    yield from response.iter_lines()
            except httpx.TransportError as exc:
                raise APIUnavailable(f"{self.base_url}: {exc}") from exc

        return ChatStream(lines())

    # conversations and feedback
    def conversations(self, org: str | None = None) -> list[Conversation]:
        params = {"org": org} if org else {}
        body = self._request("GET", "/v1/conversations", params=params).json()
        return [Conversation.model_validate(c) for c in body["conversations"]]

    def conversation(self, conversation_id: str) -> Conversation:
        response = self._request("GET", f"/v1/conversations/{conversation_id}")
        return Conversation.model_validate(response.json())

    def feedback(self, conversation_id: str, turn: int, rating: int, comment: str = "") -> int:
        body = {"conversation_id": conversation_id, "turn": turn, "rating": rating}
        response = self._request("POST", "/v1/feedback", json={**body, "comment": comment})
        return int(response.json()["id"])

    # gap reports
    def gap_report(self, org: str) -> GapReport:
        response = self._request("GET", f"/v1/orgs/{org}/gap-report")
        return GapReport.model_validate(response.json())

    def gap_report_file(self, org: str, file_format: str) -> bytes:
        """The report as ``md``, ``xlsx`` or ``docx``, ready to save."""
        params = {"format": file_format}
        return self._request("GET", f"/v1/orgs/{org}/gap-report", params=params).content

    # evaluation reports
    def reports(self) -> list[ReportSummary]:
        body = self._request("GET", "/v1/eval-reports").json()
        return [ReportSummary.model_validate(r) for r in body["reports"]]

    def report(self, report_id: str) -> Report:
        return Report.model_validate(self._request("GET", f"/v1/eval-reports/{report_id}").json())

    def plot(self, report_id: str, name: str) -> bytes:
        return self._request("GET", f"/v1/eval-reports/{report_id}/plots/{name}").content

    # quizzes
    def create_quiz(self, request: QuizCreate) -> Quiz:
        body = request.model_dump(mode="json")
        return Quiz.model_validate(self._request("POST", "/v1/quizzes", json=body).json())

    def quizzes(self, org: str | None = None) -> list[Quiz]:
        params = {"org": org} if org else {}
        body = self._request("GET", "/v1/quizzes", params=params).json()
        return [Quiz.model_validate(q) for q in body["quizzes"]]

    def quiz(self, quiz_id: str) -> Quiz:
        return Quiz.model_validate(self._request("GET", f"/v1/quizzes/{quiz_id}").json())

    def replace_questions(
        self, quiz_id: str, questions: list[Question], title: str | None = None
    ) -> Quiz:
        body = QuizUpdate(title=title, questions=questions).model_dump(mode="json")
        return Quiz.model_validate(self._request("PUT", f"/v1/quizzes/{quiz_id}", json=body).json())

    def edit_question(self, quiz_id: str, position: int, patch: QuestionPatch) -> Quiz:
        body = patch.model_dump(mode="json", exclude_unset=True)
        path = f"/v1/quizzes/{quiz_id}/questions/{position}"
        return Quiz.model_validate(self._request("PATCH", path, json=body).json())

    def add_question(self, quiz_id: str, question: Question) -> Quiz:
        body = question.model_dump(mode="json")
        path = f"/v1/quizzes/{quiz_id}/questions"
        return Quiz.model_validate(self._request("POST", path, json=body).json())

    def delete_question(self, quiz_id: str, position: int) -> Quiz:
        path = f"/v1/quizzes/{quiz_id}/questions/{position}"
        return Quiz.model_validate(self._request("DELETE", path).json())

    def delete_quiz(self, quiz_id: str) -> None:
        self._request("DELETE", f"/v1/quizzes/{quiz_id}")

    def export_quiz(self, quiz_id: str, format: str) -> bytes:
        params = {"format": format}
        return self._request("GET", f"/v1/quizzes/{quiz_id}/export", params=params).content
