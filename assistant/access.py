"""Organisations, users, API keys, roles and the audit log (SQLAlchemy; SQLite by default).

Every document belongs to one org. A user's role decides which orgs they may read and write:
``staff`` and ``trainer`` their own org plus ``public``; ``consultant`` ``public`` plus the
client orgs assigned to them; ``admin`` everything. Keys are random, shown once, and only
their SHA-256 is stored (they carry 256 bits, so a slow hash would add nothing).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel
from sqlalchemy import (
    insert,
    select,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from assistant.db.tables import audit_table, keys_table, orgs_table, user_orgs_table, users_table
from assistant.schema import DEFAULT_ORG, ORG_RE, UTCDateTime

KEY_PREFIX = "cg_"


class Role(StrEnum):
    staff = "staff"
    trainer = "trainer"
    consultant = "consultant"
    admin = "admin"


class AccessError(ValueError):
    """A management request that cannot be done (unknown org, duplicate user …)."""


class NotVisible(LookupError):
    """The org or object is outside the caller's scope; callers answer it like 'unknown'."""


class NotAllowed(PermissionError):
    """Visible, but the caller's role may not do this."""


def _now() -> datetime:
    return datetime.now(UTC)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class Principal:
    """Who is calling, and what they may see."""

    name: str
    role: Role
    orgs: frozenset[str] = field(default_factory=frozenset)
    """Assigned orgs: the own org (staff, trainer) or the client orgs (consultant)."""

    @property
    def is_admin(self) -> bool:
        return self.role is Role.admin

    @property
    def home_org(self) -> str | None:
        """The org an upload or a quiz goes to when none is named."""
        return next(iter(self.orgs)) if len(self.orgs) == 1 else None

    def own_org(self, home_org: str) -> str | None:
        """The asker's own company: a staff member's or trainer's org; an admin works for
        the home org; a consultant's assigned orgs are clients, not their own."""
        if self.is_admin:
            return home_org
        return None if self.role is Role.consultant else self.home_org

    def default_org(self, home_org: str) -> str | None:
        """What a question without a chosen org is about: the own org, else a consultant's
        only client (with several, none: public sources until one is picked)."""
        return self.own_org(home_org) or self.home_org

    def readable(self) -> frozenset[str] | None:
        """Orgs this principal may read; ``None`` = all (admin)."""
        return None if self.is_admin else self.orgs | {DEFAULT_ORG}

    def can_read(self, org: str) -> bool:
        readable = self.readable()
        return readable is None or org in readable

    def can_write(self, org: str) -> bool:
        return self.is_admin or org in self.orgs

    def check_read(self, org: str) -> None:
        if not self.can_read(org):
            raise NotVisible(org)

    def check_write(self, org: str) -> None:
        self.check_read(org)
        if not self.can_write(org):
            raise NotAllowed(f"{self.role} {self.name!r} may not change org {org!r}")

    def require(self, *roles: Role) -> None:
        if self.role not in roles and not self.is_admin:
            raise NotAllowed(f"role {self.role} may not do this")

    def scope(self, requested: Iterable[str] = ()) -> list[str] | None:
        """The orgs a search may touch: the requested ones (each must be readable), else all
        readable ones; ``None`` = unrestricted (admin asking for nothing in particular)."""
        wanted = sorted(set(requested))
        for org in wanted:
            self.check_read(org)
        if wanted:
            return wanted
        readable = self.readable()
        return None if readable is None else sorted(readable)


class Org(BaseModel):
    id: str
    name: str


class User(BaseModel):
    id: int
    name: str
    role: Role
    orgs: list[str]


class KeyInfo(BaseModel):
    prefix: str
    user: str
    created_at: UTCDateTime
    revoked_at: UTCDateTime | None


class AuditEntry(BaseModel):
    at: UTCDateTime
    user: str
    role: str
    action: str
    orgs: list[str] | None
    detail: str
    status: int


def read_org_names(path: Path) -> dict[str, str]:
    """A JSON object ``{"hengli": "恒力起重机械配件有限公司"}``: corpus/orgs.json names the
    sample company and its clients for setup, the evaluation and the tests alike."""
    try:
        names = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AccessError(f"cannot read orgs from {path}: {exc}") from exc
    if not isinstance(names, dict) or not all(isinstance(v, str) for v in names.values()):
        raise AccessError(f"{path}: expected a JSON object of org id -> name")
    return names


class AccessStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # orgs
    def add_org(self, org_id: str, name: str = "") -> Org:
        """Create the org, or rename it when it exists (so setup can run again)."""
        if not ORG_RE.match(org_id):
            raise AccessError(f"invalid org id {org_id!r} (lowercase letters, digits, - _)")
        name = name.strip() or org_id
        with self.engine.begin() as conn:
            exists = conn.execute(select(orgs_table.c.id).where(orgs_table.c.id == org_id)).first()
            if exists:
                conn.execute(update(orgs_table).where(orgs_table.c.id == org_id).values(name=name))
            else:
                conn.execute(insert(orgs_table).values(id=org_id, name=name, created_at=_now()))
        return Org(id=org_id, name=name)

    def import_orgs(self, path: Path) -> list[Org]:
        """Add or rename every org the file names (setup runs it again and again)."""
        return [self.add_org(org_id, name) for org_id, name in read_org_names(path).items()]

    def ensure_orgs(self, org_ids: Iterable[str]) -> None:
        """Register orgs that documents name but nobody has added yet (name = id)."""
        known = {o.id for o in self.orgs()}
        for org_id in sorted(set(org_ids) - known):
            self.add_org(org_id)

    def orgs(self, only: Iterable[str] | None = None) -> list[Org]:
        query = select(orgs_table.c.id, orgs_table.c.name).order_by(orgs_table.c.id)
        if only is not None:
            query = query.where(orgs_table.c.id.in_(list(only)))
        with self.engine.connect() as conn:
            return [Org(id=r.id, name=r.name) for r in conn.execute(query)]

    def org(self, org_id: str) -> Org | None:
        found = self.orgs([org_id])
        return found[0] if found else None

    # users and keys
    def add_user(self, name: str, role: Role, orgs: Iterable[str] = ()) -> tuple[User, str]:
        """Create a user with a first key; the key is returned once and never stored."""
        org_ids = sorted(set(orgs))
        name = name.strip()
        if not name:
            raise AccessError("user name is empty")
        if role in (Role.staff, Role.trainer) and len(org_ids) > 1:
            raise AccessError(f"a {role} belongs to one org, got {', '.join(org_ids)}")
        if role is Role.admin and org_ids:
            raise AccessError("an admin sees every org; do not assign orgs")
        unknown = set(org_ids) - {o.id for o in self.orgs(org_ids)}
        if unknown:
            raise AccessError(f"unknown org(s): {', '.join(sorted(unknown))}")
        try:
            with self.engine.begin() as conn:
                result = conn.execute(
                    insert(users_table).values(name=name, role=role.value, created_at=_now())
                )
                user_id = int(result.inserted_primary_key[0])  # type: ignore[index]
                for org_id in org_ids:
                    conn.execute(insert(user_orgs_table).values(user_id=user_id, org_id=org_id))
        except IntegrityError as exc:
            raise AccessError(f"user {name!r} already exists") from exc
        return User(id=user_id, name=name, role=role, orgs=org_ids), self.issue_key(name)

    def _user_id(self, name: str) -> int:
        with self.engine.connect() as conn:
            row = conn.execute(select(users_table.c.id).where(users_table.c.name == name)).first()
        if row is None:
            raise AccessError(f"unknown user {name!r}")
        return int(row.id)

    def users(self) -> list[User]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(users_table).order_by(users_table.c.name)).all()
            links = conn.execute(select(user_orgs_table)).all()
        orgs_of: dict[int, list[str]] = {}
        for link in links:
            orgs_of.setdefault(link.user_id, []).append(link.org_id)
        return [
            User(id=r.id, name=r.name, role=Role(r.role), orgs=sorted(orgs_of.get(r.id, [])))
            for r in rows
        ]

    def issue_key(self, user_name: str) -> str:
        user_id = self._user_id(user_name)
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        with self.engine.begin() as conn:
            conn.execute(
                insert(keys_table).values(
                    user_id=user_id,
                    prefix=key[:12],
                    key_hash=hash_key(key),
                    created_at=_now(),
                )
            )
        return key

    def keys(self, user_name: str | None = None) -> list[KeyInfo]:
        query = select(keys_table, users_table.c.name).join(users_table)
        if user_name is not None:
            query = query.where(users_table.c.name == user_name)
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(keys_table.c.id)).all()
        return [
            KeyInfo(prefix=r.prefix, user=r.name, created_at=r.created_at, revoked_at=r.revoked_at)
            for r in rows
        ]

    def revoke(self, key_or_prefix: str | None = None, user_name: str | None = None) -> int:
        """Revoke one key (the key itself or its 12-character prefix) or all of a user's."""
        live = keys_table.c.revoked_at.is_(None)
        if user_name is not None:
            condition = live & (keys_table.c.user_id == self._user_id(user_name))
        elif key_or_prefix and key_or_prefix.startswith(KEY_PREFIX) and len(key_or_prefix) > 12:
            condition = live & (keys_table.c.key_hash == hash_key(key_or_prefix))
        elif key_or_prefix:
            condition = live & (keys_table.c.prefix == key_or_prefix)
        else:
            raise AccessError("name a key, a key prefix or a user")
        with self.engine.begin() as conn:
            result = conn.execute(update(keys_table).where(condition).values(revoked_at=_now()))
        return int(result.rowcount)

    def authenticate(self, key: str) -> Principal | None:
        """The principal behind a live key, or ``None`` (unknown or revoked)."""
        if not key.startswith(KEY_PREFIX):
            return None
        with self.engine.connect() as conn:
            user = conn.execute(
                select(users_table.c.id, users_table.c.name, users_table.c.role)
                .join(keys_table, keys_table.c.user_id == users_table.c.id)
                .where(keys_table.c.key_hash == hash_key(key), keys_table.c.revoked_at.is_(None))
            ).first()
            if user is None:
                return None
            orgs = conn.execute(
                select(user_orgs_table.c.org_id).where(user_orgs_table.c.user_id == user.id)
            ).all()
        return Principal(name=user.name, role=Role(user.role), orgs=frozenset(o[0] for o in orgs))

    # audit
    def audit(
        self,
        principal: Principal,
        action: str,
        orgs: list[str] | None,
        detail: str = "",
        status: int = 200,
    ) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                insert(audit_table).values(
                    at=_now(),
                    user_name=principal.name,
                    role=principal.role.value,
                    action=action,
                    orgs=json.dumps(orgs),
                    detail=detail[:2000],
                    status=status,
                )
            )

    def audit_log(self, user_name: str | None = None, limit: int = 100) -> list[AuditEntry]:
        query = select(audit_table).order_by(audit_table.c.id.desc()).limit(limit)
        if user_name is not None:
            query = query.where(audit_table.c.user_name == user_name)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            AuditEntry(
                at=r.at,
                user=r.user_name,
                role=r.role,
                action=r.action,
                orgs=json.loads(r.orgs),
                detail=r.detail,
                status=r.status,
            )
            for r in rows
        ]
