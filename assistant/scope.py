"""Whose documents a question is answered from: one org plus the public sources.

Staff ask about 咱们's procedures, consultants about the client they picked, and a question
may name a company (「恒力的不合格品谁评审？」). An answer drawn from two companies'
procedures is wrong for both, so a question resolves to a single org, or to none (public
sources only) when it names a company the asker may not read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from assistant.access import Org, Principal
from assistant.schema import DEFAULT_ORG
from assistant.text.lexicon import words

TRADE_NAME_CHARS = 2  # 字号: 华瑞线缆 -> 华瑞


def org_aliases(org_id: str, name: str) -> set[str]:
    """What people call an org: its id, full name, name without the legal form, and the
    trade name (the two characters after any place name)."""
    aliases = {org_id.lower(), name}
    short = name
    for form in words("org_forms"):
        if short.endswith(form) and len(short) > len(form) + 1:
            short = short.removesuffix(form)
            break
    aliases.add(short)
    trade = short
    for region in words("regions"):
        if trade.startswith(region) and len(trade) > len(region) + 1:
            trade = trade.removeprefix(region).removeprefix("市").removeprefix("省")
            break
    if len(trade) > TRADE_NAME_CHARS:
        aliases.add(trade[:TRADE_NAME_CHARS])
    return {a for a in aliases if len(a) >= TRADE_NAME_CHARS}


@dataclass(frozen=True)
class OrgNames:
    """Finds the orgs a question names, by any alias; the longest alias wins a tie."""

    aliases: dict[str, str]

    @classmethod
    def of(cls, orgs: Iterable[tuple[str, str]]) -> OrgNames:
        table: dict[str, str] = {}
        for org_id, name in orgs:
            if org_id == DEFAULT_ORG:
                continue
            for alias in org_aliases(org_id, name):
                table.setdefault(alias, org_id)
        return cls(table)

    def named(self, question: str) -> list[str]:
        """Org ids in order of first mention."""
        lowered = question.lower()
        found: dict[str, int] = {}
        for alias in sorted(self.aliases, key=len, reverse=True):
            at = lowered.find(alias.lower())
            org = self.aliases[alias]
            if at >= 0 and at < found.get(org, len(lowered)):
                found[org] = at
        return sorted(found, key=found.__getitem__)


class ScopeSource(StrEnum):
    named = "named"
    """The question names a company the asker may read."""
    named_unreadable = "named_unreadable"
    """It names one the asker may not read: public sources only, nothing of that company."""
    own = "own"
    """咱们 / 本公司 with a chosen client: the asker's own org."""
    chosen = "chosen"
    default = "default"


@dataclass(frozen=True)
class Scope:
    org: str | None
    """The one org whose documents the answer may use; None = public sources only."""
    source: ScopeSource

    @property
    def orgs(self) -> list[str]:
        return [DEFAULT_ORG] if self.org in (None, DEFAULT_ORG) else [self.org, DEFAULT_ORG]


def speaks_of_own_org(question: str) -> bool:
    return any(word in question for word in words("first_person"))


def resolve_scope(
    question: str,
    names: OrgNames,
    can_read: Callable[[str], bool],
    chosen: str | None = None,
    own_org: str | None = None,
    default_org: str | None = None,
) -> Scope:
    """``chosen``: the org picked in the UI, ``--org`` or ``org`` (already checked readable);
    ``own_org``: the asker's own company (staff, trainer; an admin's home org);
    ``default_org``: what an unqualified question is about (own org, or a consultant's only
    client)."""
    named = names.named(question)
    if named:
        org = named[0]
        if can_read(org):
            return Scope(org, ScopeSource.named)
        return Scope(None, ScopeSource.named_unreadable)
    if chosen and own_org and chosen != own_org and speaks_of_own_org(question):
        return Scope(own_org, ScopeSource.own)
    if chosen:
        return Scope(chosen, ScopeSource.chosen)
    return Scope(default_org, ScopeSource.default)


def question_scope(
    question: str,
    principal: Principal,
    orgs: Iterable[Org],
    home_org: str,
    chosen: str | None = None,
) -> Scope:
    """The scope of ``principal``'s question, among the registered ``orgs``."""
    return resolve_scope(
        question,
        OrgNames.of((org.id, org.name) for org in orgs),
        principal.can_read,
        chosen=chosen,
        own_org=principal.own_org(home_org),
        default_org=principal.default_org(home_org),
    )
