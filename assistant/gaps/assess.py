"""For each requirement (requirements.py: ISO 9001 clauses 4.1–10.3 and the XK licence
obligations), find an org's own evidence and call it ``covered``, ``partial`` or ``missing``.

Nothing is known about any particular client. Retrieval is restricted to the org inside the
store query. A requirement is judged by how much of what is *distinctive* about it (bigrams
weighted by their rarity across all requirements; the title counts double) its best passages
contain.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from assistant.gaps.requirements import Requirement, load_requirements
from assistant.knowledge import KnowledgeBase
from assistant.retrieval.glossary import expand_query
from assistant.retrieval.lexical import tokenize
from assistant.schema import GapItem, GapReport, GapStatus, Hit, Quote
from assistant.store.chroma_store import SearchFilter
from assistant.text.analysis import content_terms, split_sentences, weighted_coverage

EVIDENCE_HITS = 8
MAX_QUOTES = 2
MAX_QUERY_CHARS = 300
_GLUE_RE = re.compile(r"[的和与及或并之其]")  # a bigram across a function word means nothing


# The standard's word and what companies usually write instead (appended, never replaced).
_COMPANY_WORDS = (("供方", "供应商"), ("顾客", "客户"))


def in_standard_words(text: str) -> str:
    """The text plus the standard's (and the glossary's) terms for the words it uses."""
    extra = [standard for standard, company in _COMPANY_WORDS if company in text]
    return " ".join([expand_query(text), *extra])


def terms_of(text: str) -> set[str]:
    """The bigrams of a passage, with the standard's words for what the company wrote."""
    return set(tokenize(in_standard_words(text)))


def key_text(requirement: Requirement) -> str:
    """The title and the records an auditor would ask for: what a procedure must name."""
    return f"{requirement.title}。{'、'.join(requirement.evidence) or requirement.required}"


@dataclass(frozen=True)
class Thresholds:
    """Share of a requirement's weighted key terms found in one of the org's documents."""

    covered: float = 0.28
    partial: float = 0.24


class GapAssessor:
    """Build once per process: the requirements' terms and query vectors do not change."""

    def __init__(self, kb: KnowledgeBase, thresholds: Thresholds | None = None) -> None:
        self.kb = kb
        self.thresholds = thresholds or Thresholds()
        self.requirements = load_requirements().all
        self._weights = self._term_weights(self.requirements)
        self._queries = [
            f"{key_text(r)} {r.text[:80]}"[:MAX_QUERY_CHARS] for r in self.requirements
        ]
        self._vectors = kb.fixed_vectors("gap-queries", self._queries, is_query=True)

    @staticmethod
    def _term_weights(requirements: list[Requirement]) -> dict[str, dict[str, float]]:
        """Per requirement: its key bigrams, weighted by rarity across requirements; title
        bigrams count double."""
        terms = {
            r.ref: {t for t in content_terms(key_text(r)) if not _GLUE_RE.search(t)}
            for r in requirements
        }
        frequency = Counter(t for found in terms.values() for t in found)
        total = len(requirements)
        weights: dict[str, dict[str, float]] = {}
        for requirement in requirements:
            in_title = content_terms(requirement.title)
            weights[requirement.ref] = {
                term: math.log((1 + total) / (1 + frequency[term])) * (2 if term in in_title else 1)
                for term in terms[requirement.ref]
            }
        return weights

    def _coverage(self, requirement: Requirement, present: set[str]) -> float:
        return weighted_coverage(self._weights[requirement.ref], present)

    def assess(self, org: str) -> GapReport:
        items = [
            self._assess_one(requirement, hits)
            for requirement, hits in zip(self.requirements, self.retrieve(org), strict=True)
        ]
        items = within_parents(items)
        documents = len(self.kb.store.list_documents(SearchFilter(orgs=[org])))
        if documents < self.kb.settings.gap_min_documents:
            items = [undecided(item, documents) for item in items]
        return GapReport(org=org, items=items)

    def retrieve(self, org: str) -> list[list[Hit]]:
        """Each requirement's passages of the org (the filter is inside the store query:
        nothing else is read)."""
        only_org = SearchFilter(orgs=[org])
        return [
            self.kb.search(query, k=EVIDENCE_HITS, filters=only_org, query_vector=vector)
            for query, vector in zip(self._queries, self._vectors, strict=True)
        ]

    def _assess_one(self, requirement: Requirement, hits: list[Hit]) -> GapItem:
        if requirement.named_by:  # a licence duty is met only where the licence is named
            hits = [h for h in hits if any(word in h.text for word in requirement.named_by)]
        by_doc: dict[str, dict[str, Hit]] = {}
        for hit in hits:
            by_doc.setdefault(hit.doc_id, {}).setdefault(hit.chunk_id, hit)
        score, evidence, terms = 0.0, list[Hit](), set[str]()
        for doc_hits in by_doc.values():  # a procedure spreads a clause over its sections
            present = terms_of("".join(h.text for h in doc_hits.values()))
            share = self._coverage(requirement, present)
            if share > score or not evidence:
                score, evidence, terms = share, list(doc_hits.values()), present
        found, missing = self._records(requirement, terms)
        if score >= self.thresholds.covered:
            status = GapStatus.covered
        elif score >= self.thresholds.partial:
            status = GapStatus.partial
        else:
            status, evidence = GapStatus.missing, []
        return GapItem(
            framework=requirement.framework,
            ref=requirement.ref,
            title=requirement.title,
            status=status,
            evidence=evidence[:3],
            quotes=self._quotes(requirement, evidence[:3]),
            reason=self._reason(status, requirement, evidence, found, missing),
            score=round(score, 4),
        )

    def _quotes(self, requirement: Requirement, evidence: list[Hit]) -> list[Quote]:
        """The sentences a consultant would point to: those of the evidence holding most of
        the requirement's distinctive terms, best first."""
        scored = [
            (
                self._coverage(requirement, terms_of(sentence)),
                n,
                Quote(doc_id=hit.doc_id, title=hit.title, ref=hit.ref, text=sentence),
            )
            for hit in evidence
            for n, sentence in enumerate(split_sentences(hit.text))
        ]
        scored.sort(key=lambda row: (-row[0], row[1]))
        return [quote for share, _, quote in scored[:MAX_QUOTES] if share > 0]

    @staticmethod
    def _records(requirement: Requirement, present: set[str]) -> tuple[list[str], list[str]]:
        """The audit evidence the requirement lists, split into named in the text (its
        ``present`` terms) or not (named = most of the record's bigrams are there)."""
        found: list[str] = []
        missing: list[str] = []
        for name in requirement.evidence:
            terms = content_terms(name)
            named = terms and len(terms & present) >= 0.6 * len(terms)
            (found if named else missing).append(name)
        return found, missing

    @staticmethod
    def _reason(
        status: GapStatus,
        requirement: Requirement,
        evidence: list[Hit],
        found: list[str],
        missing: list[str],
    ) -> str:
        if status is GapStatus.missing:
            expected = f"（审核时通常查看：{'、'.join(missing[:3])}）" if missing else ""
            return f"未找到关于「{requirement.title}」的规定{expected}。"
        where = f"《{evidence[0].title}》{'、'.join(h.ref for h in evidence[:3] if h.ref)}"
        named = f"，可提供：{'、'.join(found[:3])}" if found else ""
        if status is GapStatus.covered:
            return f"{where}对此有规定{named}。"
        lacking = f"；未见：{'、'.join(missing[:3])}" if missing else ""
        return f"{where}只部分涉及{named}{lacking}。"


def undecided(item: GapItem, documents: int) -> GapItem:
    """With a handful of an org's documents, not finding a requirement says nothing about
    the org: the call is ``unknown``, not ``missing`` (what was found still counts)."""
    if item.status is not GapStatus.missing:
        return item
    return item.model_copy(
        update={
            "status": GapStatus.unknown,
            "reason": f"该单位只收录了 {documents} 份文件，不足以判断「{item.title}」是否缺失；"
            "请上传全部体系文件后再评。",
        }
    )


def within_parents(items: list[GapItem]) -> list[GapItem]:
    """A subclause cannot be met when its clause is missing (no 9.3.2 inputs without a 9.3
    management review): it is reported missing too."""
    status = {item.ref: item.status for item in items}
    result = []
    for item in items:
        parent = item.ref.rsplit(".", 1)[0] if item.ref.count(".") == 2 else None  # 9.3.2
        if (
            parent
            and status.get(parent) is GapStatus.missing
            and item.status is not GapStatus.missing
        ):
            item = item.model_copy(
                update={
                    "status": GapStatus.missing,
                    "reason": f"上级条款 {parent} 缺失，本条无从落实。",
                    "evidence": [],
                    "quotes": [],
                }
            )
        result.append(item)
    return result
