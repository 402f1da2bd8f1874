"""Conversations are personal: each caller sees and continues only their own."""

from __future__ import annotations

from fastapi import APIRouter

from assistant.api.deps import ConversationsDep, PrincipalDep, owned_conversation
from assistant.api.schemas import ConversationList, FeedbackReply, FeedbackRequest
from assistant.conversations import Conversation

router = APIRouter(prefix="/v1", tags=["conversations"])


@router.get("/conversations")
def list_conversations(
    store: ConversationsDep, principal: PrincipalDep, org: str | None = None
) -> ConversationList:
    owner = None if principal.is_admin else principal.name
    return ConversationList(conversations=store.list(org=org, owner=owner))


@router.get("/conversations/{conversation_id}")
def get_conversation(
    conversation_id: str, store: ConversationsDep, principal: PrincipalDep
) -> Conversation:
    return store.get(owned_conversation(store, principal, conversation_id))


@router.post("/feedback", status_code=201)
def add_feedback(
    body: FeedbackRequest, store: ConversationsDep, principal: PrincipalDep
) -> FeedbackReply:
    conversation_id = owned_conversation(store, principal, body.conversation_id)
    return FeedbackReply(
        id=store.add_feedback(conversation_id, body.turn, body.rating, body.comment)
    )
