"""/v1/ask (one JSON reply) and /v1/chat (server-sent events)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from assistant.answer.schema import Reply
from assistant.api.deps import (
    AnswererDep,
    AuditDep,
    ConversationsDep,
    PrincipalDep,
    ServicesDep,
    scoped_turn,
)
from assistant.api.schemas import AskRequest

router = APIRouter(prefix="/v1", tags=["ask"])


@router.post("/ask")
def ask(
    body: AskRequest,
    answerer: AnswererDep,
    principal: PrincipalDep,
    conversations: ConversationsDep,
    audit: AuditDep,
    services: ServicesDep,
) -> Reply:
    conversation_id, filters = scoped_turn(
        audit, services, principal, conversations, body.question, body.org, body.filters,
        body.conversation_id,
    )  # fmt: skip
    return answerer.ask(body.question, conversation_id=conversation_id, filters=filters)


def _sse(event: str, payload: object) -> str:
    return f"event: {event}\ndata: {json.dumps(payload, ensure_ascii=False)}\n\n"


@router.post(
    "/chat",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
def chat(
    body: AskRequest,
    answerer: AnswererDep,
    principal: PrincipalDep,
    conversations: ConversationsDep,
    audit: AuditDep,
    services: ServicesDep,
) -> StreamingResponse:
    """Events: ``answer`` ({"delta"}) as pieces are made, ``citations`` ([…]), ``done``
    (the reply without answer text and citations)."""
    conversation_id, filters = scoped_turn(
        audit, services, principal, conversations, body.question, body.org, body.filters,
        body.conversation_id,
    )  # fmt: skip
    stream = answerer.ask_stream(body.question, conversation_id=conversation_id, filters=filters)
    first = next(stream)  # errors (unknown conversation …) surface before streaming starts

    def events() -> Iterator[str]:
        for event in itertools.chain([first], stream):
            if event.reply is None:
                yield _sse("answer", {"delta": event.delta})
                continue
            reply = event.reply
            yield _sse("citations", [c.model_dump(mode="json") for c in reply.citations])
            yield _sse("done", reply.model_dump(mode="json", exclude={"answer", "citations"}))

    return StreamingResponse(
        events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
    )
