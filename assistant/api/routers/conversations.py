from __future__ import annotations

from fastapi import APIRouter

from assistant.api.deps import ConversationsDep
from assistant.api.schemas import ConversationList, FeedbackReply, FeedbackRequest
from assistant.conversations import Conversation

router = APIRouter(prefix="/v1", tags=["conversations"])


@router.get("/conversations")
def list_conversations(store: ConversationsDep, org: str | None = None) -> ConversationList:
    return ConversationList(conversations=store.list(org=org))


@router.get("/conversations/{conversation_id}")
def get_conversation(conversation_id: str, store: ConversationsDep) -> Conversation:
    return store.get(conversation_id)


@router.post("/feedback", status_code=201)
def add_feedback(body: FeedbackRequest, store: ConversationsDep) -> FeedbackReply:
    return FeedbackReply(
        id=store.add_feedback(body.conversation_id, body.turn, body.rating, body.comment)
    )
