from __future__ import annotations

from fastapi import APIRouter

from assistant.answer.pipeline import search_filter
from assistant.api.deps import KnowledgeDep
from assistant.api.schemas import SearchReply, SearchRequest

router = APIRouter(prefix="/v1", tags=["search"])


@router.post("/search")
def search(body: SearchRequest, kb: KnowledgeDep) -> SearchReply:
    filters = body.filters.to_search_filter() if body.filters else None
    hits = kb.search(body.question, k=body.k, filters=search_filter(body.org, filters))
    return SearchReply(hits=hits)
