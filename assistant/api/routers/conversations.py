from __future__ import annotations

from fastapi import APIRouter

from assistant.api.deps import ConversationsDep
from assistant.api.schemas import (
    ConversationList,
    ConversationOut,
    FeedbackReply,
    FeedbackRequest,
    TurnOut,
)
from assistant.conversations import Conversation

router = APIRouter(prefix="/v1", tags=["conversations"])


def _out(conversation: Conversation) -> ConversationOut:
    return ConversationOut(
        id=conversation.id,
        org=conversation.org,
        title=conversation.title,
        created_at=conversation.created_at.isoformat(),
        updated_at=conversation.updated_at.isoformat(),
        turns=[
            TurnOut(
                turn=t.turn,
                question=t.question,
                rewritten_question=t.rewritten_question,
                answer=t.answer,
                refused=t.refused,
                citations=[c.model_dump(mode="json") for c in t.citations],
                created_at=t.created_at.isoformat(),
            )
            for t in conversation.turns
        ],
    )


@router.get("/conversations")
def list_conversations(store: ConversationsDep, org: str | None = None) -> ConversationList:
    return ConversationList(conversations=[_out(c) for c in store.list(org=org)])


@router.get("/conversations/{conversation_id}")
def get_conversation(conversation_id: str, store: ConversationsDep) -> ConversationOut:
    return _out(store.get(conversation_id))


@router.post("/feedback", status_code=201)
def add_feedback(body: FeedbackRequest, store: ConversationsDep) -> FeedbackReply:
    return FeedbackReply(
        id=store.add_feedback(body.conversation_id, body.turn, body.rating, body.comment)
    )
