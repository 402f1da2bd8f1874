"""Quizzes: generate from sources, list, get, edit (re-validated), delete, export.

A quiz belongs to an org (none = public): whoever may read the org may read and export its
quizzes; trainers make and edit their own org's, admins any. Sources are read only from orgs
the caller may read, so a quiz never carries another client's passages."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Response

from assistant.access import Principal, Role
from assistant.api.deps import AuditDep, KnowledgeDep, PrincipalDep, QuizzesDep, ServicesDep
from assistant.api.schemas import DeleteReply, QuestionPatch, QuizCreate, QuizList, QuizUpdate
from assistant.knowledge import KnowledgeBase
from assistant.quiz import Question, Quiz, make_quiz
from assistant.quiz.formats import get_format
from assistant.quiz.store import QuizNotFound, QuizStore
from assistant.schema import DEFAULT_ORG

router = APIRouter(prefix="/v1/quizzes", tags=["quizzes"])


def visible_quiz(store: QuizStore, principal: Principal, quiz_id: str) -> Quiz:
    """Another org's quiz answers exactly like one that does not exist."""
    quiz = store.get(quiz_id)
    if not principal.can_read(quiz.org or DEFAULT_ORG):
        raise QuizNotFound(quiz_id)
    return quiz


def editable_quiz(store: QuizStore, principal: Principal, quiz_id: str) -> Quiz:
    quiz = visible_quiz(store, principal, quiz_id)
    principal.require(Role.trainer)
    principal.check_write(quiz.org or DEFAULT_ORG)
    return quiz


def with_passage(kb: KnowledgeBase, principal: Principal, question: Question) -> Question:
    """Attach the stored passage the span comes from; a span found nowhere in the document
    (or in a document the caller may not read) gets no passage, so validation flags it."""
    source = question.source
    if source.passage and source.text in source.passage:
        return question
    record = kb.store.get_document(source.doc_id) if source.doc_id else None
    visible = record is not None and principal.can_read(record.org)
    chunks = kb.store.document_chunks(source.doc_id) if visible else []
    found = next((c for c in chunks if source.text and source.text in c.text), None)
    if found is None:
        passage = "\n".join(c.text for c in chunks) or "（找不到出处文档）"
        update = {"passage": passage}
    else:
        update = {"passage": found.text, "chunk_id": found.chunk_id, "title": found.title,
                  "kind": found.kind.value, "ref": source.ref or found.ref}  # fmt: skip
    return question.model_copy(update={"source": source.model_copy(update=update)})


@router.post("", status_code=201)
def create_quiz(
    body: QuizCreate, services: ServicesDep, principal: PrincipalDep, audit: AuditDep
) -> Quiz:
    principal.require(Role.trainer)
    org = body.org or principal.home_org
    audit.orgs, audit.detail = [org or DEFAULT_ORG], f"quiz: {body.sources.model_dump_json()}"
    principal.check_write(org or DEFAULT_ORG)
    sources = body.sources.model_copy(update={"orgs": principal.scope(body.sources.orgs) or []})
    reword = services.quiz_wording if body.llm else None
    build = make_quiz(services.kb, sources, body.n, body.types, body.seed,
                      body.difficulty, reword)  # fmt: skip
    title = (
        body.title or f"题库 {body.sources.ref or '、'.join(body.sources.doc_ids) or '全部资料'}"
    )
    return services.quizzes.create(
        title,
        build.questions,
        org=org,
        created_by=principal.name,
        selection=sources,
        seed=body.seed,
        difficulty=body.difficulty,
        report=build.report,
    )


@router.get("")
def list_quizzes(store: QuizzesDep, principal: PrincipalDep, org: str | None = None) -> QuizList:
    if org is not None:
        principal.check_read(org)
    return QuizList(quizzes=store.list(org=org, orgs=principal.scope()))


@router.get("/{quiz_id}")
def get_quiz(quiz_id: str, store: QuizzesDep, principal: PrincipalDep) -> Quiz:
    return visible_quiz(store, principal, quiz_id)


@router.put("/{quiz_id}")
def replace_questions(
    quiz_id: str, body: QuizUpdate, store: QuizzesDep, kb: KnowledgeDep, principal: PrincipalDep
) -> Quiz:
    editable_quiz(store, principal, quiz_id)
    questions = [with_passage(kb, principal, q) for q in body.questions]
    return store.replace(quiz_id, questions, title=body.title)


@router.patch("/{quiz_id}/questions/{position}")
def edit_question(
    quiz_id: str,
    position: int,
    body: QuestionPatch,
    store: QuizzesDep,
    kb: KnowledgeDep,
    principal: PrincipalDep,
) -> Quiz:
    questions = editable_quiz(store, principal, quiz_id).questions
    if not 0 <= position < len(questions):
        raise QuizNotFound(f"{quiz_id}#{position}")
    # a field left out or null is left as it is
    changes = body.model_dump(exclude_unset=True, exclude_none=True, exclude={"source"})
    edited = questions[position].model_copy(update=changes)
    if body.source is not None:
        edited = edited.model_copy(update={"source": body.source})
    return store.edit(quiz_id, position, with_passage(kb, principal, edited))


@router.post("/{quiz_id}/questions", status_code=201)
def add_question(
    quiz_id: str, body: Question, store: QuizzesDep, kb: KnowledgeDep, principal: PrincipalDep
) -> Quiz:
    editable_quiz(store, principal, quiz_id)
    return store.add(quiz_id, with_passage(kb, principal, body))


@router.delete("/{quiz_id}/questions/{position}")
def delete_question(
    quiz_id: str, position: int, store: QuizzesDep, principal: PrincipalDep
) -> Quiz:
    editable_quiz(store, principal, quiz_id)
    return store.remove(quiz_id, position)


@router.delete("/{quiz_id}")
def delete_quiz(quiz_id: str, store: QuizzesDep, principal: PrincipalDep) -> DeleteReply:
    editable_quiz(store, principal, quiz_id)
    store.delete(quiz_id)
    return DeleteReply(deleted=quiz_id)


@router.get("/{quiz_id}/export", response_class=Response)
def export_quiz(
    quiz_id: str, store: QuizzesDep, principal: PrincipalDep, format: str = "gift"
) -> Response:
    chosen = get_format(format)
    quiz = visible_quiz(store, principal, quiz_id)
    filename = f"quiz-{quiz.id[:8]}.{chosen.extension}"
    readable = quote(f"{quiz.title}.{chosen.extension}")
    disposition = f"attachment; filename=\"{filename}\"; filename*=UTF-8''{readable}"
    return Response(
        chosen.write(quiz.title, quiz.questions),
        media_type=chosen.media_type,
        headers={"Content-Disposition": disposition},
    )
