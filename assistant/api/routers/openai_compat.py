"""/v1/chat/completions: OpenAI-compatible, so existing chat clients and SDKs work.

The last user message is the question; earlier user messages are the history used to
rewrite follow-ups. Citations travel in an extra ``citations`` field.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from assistant.answer.rewrite import rewrite_follow_up
from assistant.answer.schema import Reply
from assistant.api.deps import (
    AnswererDep,
    AuditDep,
    ConversationsDep,
    PrincipalDep,
    ServicesDep,
    scoped_turn,
)
from assistant.api.errors import APIError
from assistant.api.schemas import ChatCompletionRequest
from assistant.schema import MAX_QUESTION_CHARS, readable_question

router = APIRouter(prefix="/v1", tags=["openai"])


def _question_and_history(body: ChatCompletionRequest) -> tuple[str, list[str]]:
    user_turns = [m.text().strip() for m in body.messages if m.role == "user" and m.text().strip()]
    if not user_turns:
        raise APIError(422, "invalid_request", "messages must contain a user message")
    question = user_turns[-1]
    if len(question) > MAX_QUESTION_CHARS:
        raise APIError(422, "invalid_request", f"question longer than {MAX_QUESTION_CHARS}")
    try:
        readable_question(question)
    except ValueError as exc:
        raise APIError(422, "invalid_request", str(exc)) from exc
    history: list[str] = []
    for earlier in user_turns[:-1]:
        history.append(rewrite_follow_up(earlier, history))
    return question, history


def _extra(reply: Reply) -> dict[str, Any]:
    return {
        "citations": [c.model_dump(mode="json") for c in reply.citations],
        "refused": reply.refused,
        "conversation_id": reply.conversation_id,
    }


@router.post(
    "/chat/completions",
    response_model=None,
    responses={200: {"content": {"application/json": {}, "text/event-stream": {}}}},
)
def chat_completions(
    body: ChatCompletionRequest,
    answerer: AnswererDep,
    principal: PrincipalDep,
    conversations: ConversationsDep,
    audit: AuditDep,
    services: ServicesDep,
) -> dict[str, Any] | StreamingResponse:
    question, history = _question_and_history(body)
    conversation_id, filters = scoped_turn(
        audit, services, principal, conversations, question, body.org
    )

    completion_id = f"chatcmpl-{uuid.uuid4().hex}"
    created = int(time.time())
    if not body.stream:
        reply = answerer.ask(question, conversation_id, filters=filters, history=history)
        return {
            "id": completion_id,
            "object": "chat.completion",
            "created": created,
            "model": body.model,
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "stop",
                    "message": {"role": "assistant", "content": reply.answer},
                }
            ],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
            **_extra(reply),
        }

    def chunk(delta: dict[str, str], finish: str | None = None, **more: Any) -> str:
        payload = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": body.model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            **more,
        }
        return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"

    stream = answerer.ask_stream(question, conversation_id, filters=filters, history=history)

    def events() -> Iterator[str]:
        yield chunk({"role": "assistant", "content": ""})
        for event in stream:
            if event.reply is None:
                yield chunk({"content": event.delta})
            else:
                yield chunk({}, "stop", **_extra(event.reply))
        yield "data: [DONE]\n\n"

    return StreamingResponse(
        events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
    )
