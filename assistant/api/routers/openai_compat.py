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
from assistant.api.deps import AnswererDep
from assistant.api.errors import APIError
from assistant.api.routers.ask import answer_pieces
from assistant.api.schemas import ChatCompletionRequest
from assistant.knowledge import MAX_QUESTION_CHARS

router = APIRouter(prefix="/v1", tags=["openai"])


def _question_and_history(body: ChatCompletionRequest) -> tuple[str, list[str]]:
    user_turns = [m.text().strip() for m in body.messages if m.role == "user" and m.text().strip()]
    if not user_turns:
        raise APIError(422, "invalid_request", "messages must contain a user message")
    question = user_turns[-1]
    if len(question) > MAX_QUESTION_CHARS:
        raise APIError(422, "invalid_request", f"question longer than {MAX_QUESTION_CHARS}")
    history: list[str] = []
    for earlier in user_turns[:-1]:
        history.append(rewrite_follow_up(earlier, history))
    return question, history


def _answer(body: ChatCompletionRequest, answerer: AnswererDep) -> Reply:
    question, history = _question_and_history(body)
    return answerer.ask(question, history=history)


def _citations(reply: Reply) -> list[dict[str, Any]]:
    return [c.model_dump(mode="json") for c in reply.citations]


@router.post("/chat/completions", response_model=None)
def chat_completions(
    body: ChatCompletionRequest, answerer: AnswererDep
) -> dict[str, Any] | StreamingResponse:
    reply = _answer(body, answerer)
    completion_id = f"chatcmpl-{uuid.uuid4().hex}"
    created = int(time.time())
    extra = {
        "citations": _citations(reply),
        "refused": reply.refused,
        "conversation_id": reply.conversation_id,
    }
    if not body.stream:
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
            **extra,
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

    def events() -> Iterator[str]:
        yield chunk({"role": "assistant", "content": ""})
        for piece in answer_pieces(reply.answer):
            yield chunk({"content": piece})
        yield chunk({}, "stop", **extra)
        yield "data: [DONE]\n\n"

    return StreamingResponse(
        events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
    )
