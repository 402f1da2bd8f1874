"""/v1/ask (one JSON reply) and /v1/chat (server-sent events)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from assistant.answer.schema import Reply
from assistant.api.deps import AnswererDep
from assistant.api.schemas import AskRequest

router = APIRouter(prefix="/v1", tags=["ask"])


def _ask(body: AskRequest, answerer: AnswererDep) -> Reply:
    filters = body.filters.to_search_filter() if body.filters else None
    return answerer.ask(
        body.question, conversation_id=body.conversation_id, org=body.org, filters=filters
    )


@router.post("/ask")
def ask(body: AskRequest, answerer: AnswererDep) -> Reply:
    return _ask(body, answerer)


def answer_pieces(answer: str) -> list[str]:
    """Sentence-sized pieces (marker and punctuation kept with their sentence)."""
    return [piece for piece in re.split(r"(?<=[。！？\n])", answer) if piece]


def _sse(event: str, payload: object) -> str:
    return f"event: {event}\ndata: {json.dumps(payload, ensure_ascii=False)}\n\n"


@router.post(
    "/chat",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
def chat(body: AskRequest, answerer: AnswererDep) -> StreamingResponse:
    """Events: ``answer`` ({"delta"}) …, ``citations`` ([…]), ``done`` (the reply minus text)."""
    reply = _ask(body, answerer)

    def events() -> Iterator[str]:
        for piece in answer_pieces(reply.answer):
            yield _sse("answer", {"delta": piece})
        yield _sse("citations", [c.model_dump(mode="json") for c in reply.citations])
        yield _sse("done", reply.model_dump(mode="json", exclude={"answer", "citations"}))

    return StreamingResponse(
        events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
    )
