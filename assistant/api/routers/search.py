from __future__ import annotations

from fastapi import APIRouter

from assistant.api.deps import AuditDep, KnowledgeDep, PrincipalDep, ServicesDep, scoped_filter
from assistant.api.schemas import SearchReply, SearchRequest

router = APIRouter(prefix="/v1", tags=["search"])


@router.post("/search")
def search(
    body: SearchRequest,
    kb: KnowledgeDep,
    principal: PrincipalDep,
    audit: AuditDep,
    services: ServicesDep,
) -> SearchReply:
    filters = scoped_filter(audit, services, principal, body.question, body.org, body.filters)
    return SearchReply(hits=kb.search(body.question, k=body.k, filters=filters))
