"""Who am I, which orgs can I see; admin: orgs, users, keys and the audit log."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import Response

from assistant.access import AuditEntry, Org, Role
from assistant.api.deps import AuditDep, PrincipalDep, ServicesDep
from assistant.api.errors import APIError
from assistant.api.schemas import Me, NewUser, OrgRequest, Revoked, RevokeRequest, UserRequest
from assistant.gaps import FORMATS
from assistant.schema import DEFAULT_ORG, GapReport
from assistant.store.chroma_store import SearchFilter

router = APIRouter(prefix="/v1", tags=["access"])


@router.get("/me")
def me(principal: PrincipalDep, services: ServicesDep) -> Me:
    readable = principal.readable()
    orgs = services.access.orgs(readable)
    writable = [o.id for o in orgs if principal.can_write(o.id)]
    return Me(name=principal.name, role=principal.role, orgs=orgs, writable=writable)


@router.get("/orgs")
def list_orgs(principal: PrincipalDep, services: ServicesDep) -> list[Org]:
    return services.access.orgs(principal.readable())


@router.post("/orgs", status_code=201)
def add_org(body: OrgRequest, principal: PrincipalDep, services: ServicesDep) -> Org:
    principal.require(Role.admin)
    return services.access.add_org(body.id, body.name)


@router.post("/users", status_code=201)
def add_user(body: UserRequest, principal: PrincipalDep, services: ServicesDep) -> NewUser:
    principal.require(Role.admin)
    user, key = services.access.add_user(body.name, body.role, body.orgs)
    return NewUser(user=user, key=key)


@router.post("/keys/revoke")
def revoke_keys(body: RevokeRequest, principal: PrincipalDep, services: ServicesDep) -> Revoked:
    principal.require(Role.admin)
    return Revoked(revoked=services.access.revoke(body.key, user_name=body.user))


@router.get("/audit")
def audit_log(
    principal: PrincipalDep, services: ServicesDep, user: str | None = None, limit: int = 100
) -> list[AuditEntry]:
    principal.require(Role.admin)
    return services.access.audit_log(user, min(max(limit, 1), 1000))


@router.get(
    "/orgs/{org_id}/gap-report",
    response_model=GapReport,
    responses={200: {"content": {f.media_type: {} for f in FORMATS.values()}}},
)
def gap_report(
    org_id: str,
    principal: PrincipalDep,
    services: ServicesDep,
    audit: AuditDep,
    format: Literal["json", "md", "xlsx", "docx"] = "json",
) -> GapReport | Response:
    """Each ISO 9001 clause 4.1–10.3 and key XK obligation: covered / partial / missing, with
    the org's passages and sentences that support the call. Only that org's documents are
    searched. ``md``, ``xlsx`` and ``docx`` give the report as a file to hand over."""
    audit.orgs, audit.detail = [org_id], f"gap report ({format})"
    principal.check_read(org_id)
    if org_id == DEFAULT_ORG or not services.kb.documents(SearchFilter(orgs=[org_id])):
        raise APIError(404, "not_found", f"org {org_id!r} has no documents to assess")
    report = services.gap_assessor().assess(org_id)
    if format == "json":
        return report
    org = services.access.org(org_id)
    exporter = FORMATS[format]
    disposition = f'attachment; filename="gap-report-{org_id}.{format}"'
    return Response(
        exporter.write(report, org.name if org else org_id),
        media_type=exporter.media_type,
        headers={"Content-Disposition": disposition},
    )
