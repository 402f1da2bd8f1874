"""FastAPI dependencies (``Annotated`` aliases) over the process's ``Services``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request

from assistant.access import KEY_PREFIX, NotAllowed, NotVisible, Principal, Role
from assistant.answer.pipeline import Answerer, search_filter
from assistant.api.errors import APIError
from assistant.api.schemas import Filters
from assistant.conversations import ConversationNotFound, ConversationStore
from assistant.knowledge import KnowledgeBase
from assistant.quiz.store import QuizStore
from assistant.reports import ReportStore
from assistant.schema import DEFAULT_ORG
from assistant.scope import question_scope
from assistant.services import Services
from assistant.store.chroma_store import SearchFilter


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_kb(services: ServicesDep) -> KnowledgeBase:
    return services.kb


def get_answerer(services: ServicesDep) -> Answerer:
    return services.answerer


def get_conversations(services: ServicesDep) -> ConversationStore:
    return services.conversations


def get_quizzes(services: ServicesDep) -> QuizStore:
    return services.quizzes


def get_reports(services: ServicesDep) -> ReportStore:
    return ReportStore(services.settings.eval_reports_dir)


def get_principal(
    services: ServicesDep,
    authorization: Annotated[str | None, Header(description="Bearer <API key>")] = None,
) -> Principal:
    """Every route but /health and /ready needs a live key (or dev-mode anonymous access)."""
    scheme, _, key = (authorization or "").partition(" ")
    key = key.strip() if scheme.lower() == "bearer" else ""
    anonymous = services.settings.anonymous_role
    # dev mode: SDKs that insist on some key ("unused") still reach the anonymous user
    if authorization and (key.startswith(KEY_PREFIX) or not anonymous):
        found = services.access.authenticate(key)
        if found is None:
            raise APIError(401, "unauthorized", "invalid or revoked API key")
        return found
    if anonymous:
        return Principal(name="anonymous", role=Role(anonymous))
    raise APIError(401, "unauthorized", "missing API key: send `Authorization: Bearer <key>`")


PrincipalDep = Annotated[Principal, Depends(get_principal)]


@dataclass
class AuditRecord:
    """What a route fills in; written to the audit log when the request ends, ok or not."""

    action: str
    orgs: list[str] | None = None
    detail: str = ""


def get_audit(
    request: Request, services: ServicesDep, principal: PrincipalDep
) -> Iterator[AuditRecord]:
    record = AuditRecord(action=f"{request.method} {request.url.path}")
    status = 200
    try:
        yield record
    except APIError as exc:
        status = exc.status
        raise
    except (NotVisible, ConversationNotFound):
        status = 404
        raise
    except NotAllowed:
        status = 403
        raise
    finally:
        services.access.audit(principal, record.action, record.orgs, record.detail, status)


def scoped_filter(
    audit: AuditRecord,
    services: Services,
    principal: Principal,
    question: str,
    org: str | None,
    filters: Filters | None,
) -> SearchFilter:
    """The search filter a request may use, noted in the audit record. ``org`` and orgs
    named in ``filters`` must be visible, else 404. Without an explicit org list the
    question resolves to one org plus public (``resolve_scope``). The org list goes into
    the store query itself (Chroma ``where``, BM25 masks)."""
    audit.detail = question
    filters = filters or Filters()
    orgs = services.access.orgs()
    known = {o.id for o in orgs} | {DEFAULT_ORG}
    for named in filter(None, (org, *filters.orgs)):
        principal.check_read(named)
        if named not in known:  # an admin reads every org, but not one that does not exist
            raise NotVisible(named)
    if filters.orgs or filters.doc_ids:  # an explicit selection, as asked
        readable = principal.scope(filters.orgs) or []
        scoped = search_filter(org, SearchFilter(filters.kinds, readable, filters.doc_ids))
    else:
        scope = question_scope(question, principal, orgs, services.settings.home_org, org)
        scoped = SearchFilter(filters.kinds, scope.orgs, filters.doc_ids)
    audit.orgs = scoped.orgs or None
    return scoped


def scoped_turn(
    audit: AuditRecord,
    services: Services,
    principal: Principal,
    conversations: ConversationStore,
    question: str,
    org: str | None,
    filters: Filters | None = None,
    conversation_id: str | None = None,
) -> tuple[str, SearchFilter]:
    """The caller's conversation (their own, or a new one) and the orgs they may search."""
    scoped = scoped_filter(audit, services, principal, question, org, filters)
    if conversation_id is not None:
        return owned_conversation(conversations, principal, conversation_id), scoped
    return conversations.create(org=org, owner=principal.name), scoped


def owned_conversation(
    conversations: ConversationStore, principal: Principal, conversation_id: str
) -> str:
    """The id when the caller may use it; someone else's answers 404 like an unknown one."""
    owner = conversations.owner(conversation_id)
    if not principal.is_admin and owner != principal.name:
        raise ConversationNotFound(conversation_id)
    return conversation_id


KnowledgeDep = Annotated[KnowledgeBase, Depends(get_kb)]
AnswererDep = Annotated[Answerer, Depends(get_answerer)]
ConversationsDep = Annotated[ConversationStore, Depends(get_conversations)]
ReportsDep = Annotated[ReportStore, Depends(get_reports)]
QuizzesDep = Annotated[QuizStore, Depends(get_quizzes)]
AuditDep = Annotated[AuditRecord, Depends(get_audit)]
