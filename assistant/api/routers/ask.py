"""/v1/ask (one JSON reply) and /v1/chat (server-sent events)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from assistant.access import Principal
from assistant.answer.schema import Reply
from assistant.api.deps import (
    AnswererDep,
    AuditDep,
    AuditRecord,
    ConversationsDep,
    PrincipalDep,
    owned_conversation,
    scoped_filter,
)
from assistant.api.schemas import AskRequest
from assistant.conversations import ConversationStore
from assistant.store.chroma_store import SearchFilter

router = APIRouter(prefix="/v1", tags=["ask"])


def scoped_turn(
    body: AskRequest,
    principal: Principal,
    conversations: ConversationStore,
    audit: AuditRecord,
) -> tuple[str, SearchFilter]:
    """The caller's conversation (their own, or a new one) and the orgs they may search."""
    audit.detail = body.question
    filters = scoped_filter(principal, body.org, body.filters)
    audit.orgs = filters.orgs or None
    if body.conversation_id is not None:
        return owned_conversation(conversations, principal, body.conversation_id), filters
    return conversations.create(org=body.org, owner=principal.name), filters


@router.post("/ask")
def ask(
    body: AskRequest,
    answerer: AnswererDep,
    principal: PrincipalDep,
    conversations: ConversationsDep,
    audit: AuditDep,
) -> Reply:
    conversation_id, filters = scoped_turn(body, principal, conversations, audit)
    return answerer.ask(
        body.question, conversation_id=conversation_id, org=body.org, filters=filters
    )


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
) -> StreamingResponse:
    """Events: ``answer`` ({"delta"}) as pieces are made, ``citations`` ([…]), ``done``
    (the reply without answer text and citations)."""
    conversation_id, filters = scoped_turn(body, principal, conversations, audit)
    stream = answerer.ask_stream(
        body.question, conversation_id=conversation_id, org=body.org, filters=filters
    )
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
