"""Documents: list, get (with chunks), upload (ingest), delete."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path, PurePath
from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile

from assistant.access import Principal
from assistant.api.deps import AuditDep, KnowledgeDep, PrincipalDep, ServicesDep
from assistant.api.errors import APIError
from assistant.api.schemas import ChunkOut, DeleteReply, DocumentDetail, DocumentList, IngestReply
from assistant.ingest.convert import SUPPORTED_SUFFIXES, IngestError
from assistant.knowledge import KnowledgeBase
from assistant.schema import ORG_RE, DocumentRecord, Kind
from assistant.store.chroma_store import SearchFilter

router = APIRouter(prefix="/v1/documents", tags=["documents"])
_UNSAFE_NAME_RE = re.compile(r"[^\w.\-\u4e00-\u9fff]+")
_COPY_CHUNK = 1024 * 1024


def public(record: DocumentRecord) -> DocumentRecord:
    """The record as a reply shows it: the file's name, not where the server keeps it."""
    return record.model_copy(update={"path": PurePath(record.path).name})


def visible_document(kb: KnowledgeBase, principal: Principal, doc_id: str) -> DocumentRecord:
    """A document of another org answers exactly like one that does not exist."""
    record = kb.store.get_document(doc_id)
    if record is None or not principal.can_read(record.org):
        raise APIError(404, "not_found", f"unknown document {doc_id!r}")
    return record


@router.get("")
def list_documents(
    kb: KnowledgeDep, principal: PrincipalDep, kind: Kind | None = None, org: str | None = None
) -> DocumentList:
    orgs = principal.scope([org] if org else []) or []
    found = kb.documents(SearchFilter(kinds=[kind] if kind else [], orgs=orgs))
    return DocumentList(documents=[public(record) for record in found])


@router.get("/{doc_id}")
def get_document(doc_id: str, kb: KnowledgeDep, principal: PrincipalDep) -> DocumentDetail:
    visible_document(kb, principal, doc_id)
    found = kb.document(doc_id)
    if found is None:  # deleted in between
        raise APIError(404, "not_found", f"unknown document {doc_id!r}")
    record, chunks = found
    return DocumentDetail(
        document=public(record),
        chunks=[
            ChunkOut(
                chunk_id=c.chunk_id, ref=c.ref, section=c.section, text=c.text, position=c.position
            )
            for c in chunks
        ],
    )


@router.post("", status_code=201)
def upload_document(
    services: ServicesDep,
    principal: PrincipalDep,
    audit: AuditDep,
    file: Annotated[UploadFile, File(description="md, txt, docx, pdf or html")],
    kind: Annotated[Kind | None, Form()] = None,
    org: Annotated[str | None, Form()] = None,
    title: Annotated[str | None, Form(max_length=200)] = None,
) -> IngestReply:
    name = Path(file.filename or "").name
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise APIError(
            415,
            "unsupported_media_type",
            f"unsupported file type {suffix or '(none)'}; "
            f"supported: {', '.join(SUPPORTED_SUFFIXES)}",
        )
    if org is not None and not ORG_RE.match(org):
        raise APIError(422, "invalid_request", f"invalid org {org!r}")
    org = org or principal.home_org
    if org is None and not principal.is_admin:
        raise APIError(422, "invalid_request", "name the org to upload to (form field `org`)")
    if org is not None:
        principal.check_write(org)  # the org is forced: front matter cannot move the file
    audit.orgs, audit.detail = ([org] if org else None), name
    limit = services.settings.max_file_bytes
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / (_UNSAFE_NAME_RE.sub("_", Path(name).stem).strip("._") + suffix)
        size = 0
        with path.open("wb") as out:
            while block := file.file.read(_COPY_CHUNK):
                size += len(block)
                if size > limit:
                    raise APIError(413, "too_large", f"file larger than {limit} bytes")
                out.write(block)
        try:
            # parsed and embedded before the write lock: a bad, oversized or merely large
            # file holds up no other writer
            doc = services.kb.ingester.load(path, kind=kind, org=org, title=title)
            prepared = services.kb.prepare(doc)
            with services.write_lock:
                result = services.kb.write(prepared)
        except IngestError as exc:
            raise APIError(400, "bad_file", f"{name}: {exc.reason}") from exc
    record = services.kb.store.get_document(result.doc_id)
    if record is None:  # deleted by another process in between
        raise APIError(409, "conflict", f"document {result.doc_id!r} vanished during ingest")
    services.access.ensure_orgs([record.org])
    return IngestReply(status=result.status, document=public(record))  # type: ignore[arg-type]


@router.delete("/{doc_id}")
def delete_document(
    doc_id: str, services: ServicesDep, principal: PrincipalDep, audit: AuditDep
) -> DeleteReply:
    record = visible_document(services.kb, principal, doc_id)
    audit.orgs, audit.detail = [record.org], doc_id
    principal.check_write(record.org)
    with services.write_lock:
        if not services.kb.delete(doc_id):
            raise APIError(404, "not_found", f"unknown document {doc_id!r}")
    return DeleteReply(deleted=doc_id)
