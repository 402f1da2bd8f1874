"""Gap report: for each ISO 9001 clause (4.1–10.3) and each key XK licence obligation, find an
org's own evidence and call it ``covered``, ``partial`` or ``missing``.

The requirements come from the index (our ISO 9001 clause summaries) and from a short list of
licence obligations written here; nothing is known about any particular client. Retrieval is
restricted to the org inside the store query. A clause is judged by how much of what is
*distinctive* about it (bigrams weighted by their rarity across all requirements; the clause
title counts double) its best passages contain, together with their cosine similarity.
"""

from __future__ import annotations

import io
import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Literal

import numpy as np

from assistant.answer.text import content_terms, weighted_coverage
from assistant.knowledge import KnowledgeBase
from assistant.retrieval.glossary import expand_query
from assistant.retrieval.lexical import tokenize
from assistant.schema import GapItem, GapReport, GapStatus, Hit
from assistant.store.chroma_store import SearchFilter

ISO_DOC_ID = "iso9001-2015-clauses"
_CLAUSE_RE = re.compile(r"^(\d{1,2})\.(\d{1,2})(?:\.(\d{1,2}))?$")
_LICENCE_NOTE_RE = re.compile(r"与生产许可证的关联：.*", re.DOTALL)
EVIDENCE_HITS = 8
MAX_QUERY_CHARS = 300


@dataclass(frozen=True)
class Requirement:
    framework: Literal["ISO9001", "XK"]
    ref: str
    title: str
    text: str
    """What the requirement asks for, in our words: the query and the source of its terms."""


# Key obligations of a licence holder under the XK regulation (our own summary; the refs are
# the articles of 《工业产品生产许可证管理条例》 they come from).
XK_OBLIGATIONS = (
    Requirement(
        "XK", "XK-1", "许可证有效期与延续",
        "生产许可证有效期为5年，有效期届满需要继续生产的，应在届满前6个月内提出延续申请；"
        "企业应登记许可证有效期，安排换证准备和延续申请。第二十五条",
    ),
    Requirement(
        "XK", "XK-2", "生产许可证标志和编号的标注",
        "取得生产许可证的产品，应在产品、包装或说明书上标注生产许可证标志和编号；"
        "委托加工的产品按规定标注；不得伪造、冒用许可证标志和编号。第二十六条 第二十七条",
    ),
    Requirement(
        "XK", "XK-3", "企业名称变更等事项的变更手续",
        "许可证有效期内企业名称变更、生产地址或生产条件发生变化的，"
        "应在规定期限内向发证机关提出变更申请，办理许可证变更手续。第二十八条",
    ),
    Requirement(
        "XK", "XK-4", "实地核查准备",
        "申请和延续许可证时，审查部门组织对企业进行实地核查，"
        "企业要准备生产设备、检验设备、工艺文件、质量管理制度和人员等接受核查。第十一条",
    ),
    Requirement(
        "XK", "XK-5", "产品抽样检验准备",
        "获证产品接受产品抽样检验和监督抽查，企业应配合抽样、封存样品，"
        "产品须经检验合格，检验机构出具检验报告。第十二条 第三十八条",
    ),
)  # fmt: skip


_GLUE_RE = re.compile(r"[的和与及或并之其]")  # a bigram across a function word means nothing
_EVIDENCE_RE = re.compile(r"典型审核证据：(.*)", re.DOTALL)


class RequirementsMissing(LookupError):
    """The clause summaries the report reads its requirements from are not in the index."""


def iso_requirements(kb: KnowledgeBase) -> list[Requirement]:
    """ISO 9001 clauses 4.1–10.3 (two and three levels) from our clause summaries."""
    found = kb.document(ISO_DOC_ID)
    if found is None:
        raise RequirementsMissing(
            f"差距分析所需的 ISO 9001 条款摘要（{ISO_DOC_ID}）不在资料库中，请重新入库 / "
            f"the ISO 9001 clause summaries ({ISO_DOC_ID}) are not in the index: re-ingest them"
        )
    texts: dict[str, list[str]] = {}
    titles: dict[str, str] = {}
    for chunk in found[1]:
        if not _CLAUSE_RE.match(chunk.ref):
            continue
        texts.setdefault(chunk.ref, []).append(_LICENCE_NOTE_RE.sub("", chunk.text))
        heading = chunk.section.split(">")[-1].strip()  # "9 绩效评价 > 9.3 管理评审"
        titles[chunk.ref] = heading.removeprefix(chunk.ref).strip() or chunk.ref

    def order(ref: str) -> tuple[int, ...]:
        return tuple(int(part) for part in ref.split("."))

    return [
        Requirement("ISO9001", ref, titles[ref], f"{titles[ref]}。{''.join(texts[ref])}")
        for ref in sorted(texts, key=order)
    ]


# The standard's word and what companies usually write instead (appended, never replaced).
_COMPANY_WORDS = (("供方", "供应商"), ("顾客", "客户"))


def in_standard_words(text: str) -> str:
    """The text plus the standard's (and the glossary's) terms for the words it uses."""
    extra = [standard for standard, company in _COMPANY_WORDS if company in text]
    return " ".join([expand_query(text), *extra])


def terms_of(text: str) -> set[str]:
    """The bigrams of a passage, with the standard's words for what the company wrote."""
    return set(tokenize(in_standard_words(text)))


def in_company_words(text: str) -> str:
    extra = [company for standard, company in _COMPANY_WORDS if standard in text]
    return " ".join([text, *extra])


def key_text(requirement: Requirement) -> str:
    """The title and the records an auditor would ask for: what a procedure must name."""
    evidence = _EVIDENCE_RE.search(requirement.text)
    return f"{requirement.title}。{evidence.group(1) if evidence else requirement.text}"


def query_text(requirement: Requirement) -> str:
    return in_company_words(f"{key_text(requirement)} {requirement.text[:80]}")[:MAX_QUERY_CHARS]


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
        self.requirements = [*iso_requirements(kb), *XK_OBLIGATIONS]
        self._weights = self._term_weights(self.requirements)
        self._queries = [
            f"{key_text(r)} {r.text[:80]}"[:MAX_QUERY_CHARS] for r in self.requirements
        ]
        self._vectors = kb.retriever.embed(*self._queries)

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
            self._assess_one(requirement, vector, query, org)
            for requirement, vector, query in zip(
                self.requirements, self._vectors, self._queries, strict=True
            )
        ]
        return GapReport(org=org, items=self._within_parents(items))

    @staticmethod
    def _within_parents(items: list[GapItem]) -> list[GapItem]:
        """A subclause cannot be met when its clause is missing (no 9.3.2 inputs without a
        9.3 management review): it is reported missing too."""
        status = {item.ref: item.status for item in items}
        result = []
        for item in items:
            parent = item.ref.rsplit(".", 1)[0] if item.ref.count(".") == 2 else None
            if (
                parent
                and status.get(parent) is GapStatus.missing
                and item.status is not GapStatus.missing
            ):
                reason = f"上级条款 {parent} 缺失，本条无从落实。"
                item = item.model_copy(
                    update={"status": GapStatus.missing, "reason": reason, "evidence": []}
                )
            result.append(item)
        return result

    def _assess_one(
        self, requirement: Requirement, vector: np.ndarray, query: str, org: str
    ) -> GapItem:
        only_org = SearchFilter(orgs=[org])  # inside the store query: nothing else is read
        hits = self.kb.search(query, k=EVIDENCE_HITS, filters=only_org, query_vector=vector)
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
            reason=self._reason(status, requirement, evidence, found, missing),
            score=round(score, 4),
        )

    @staticmethod
    def _records(requirement: Requirement, present: set[str]) -> tuple[list[str], list[str]]:
        """The audit evidence the requirement lists, split into named in the text (its
        ``present`` terms) or not (named = most of the record's bigrams are there)."""
        listed = _EVIDENCE_RE.search(requirement.text)
        names = [n.strip("- ").strip() for n in (listed.group(1) if listed else "").splitlines()]
        found: list[str] = []
        missing: list[str] = []
        for name in filter(None, names):
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


STATUS_LABELS = {
    GapStatus.covered: "已覆盖",
    GapStatus.partial: "部分覆盖",
    GapStatus.missing: "缺失",
}


def to_markdown(report: GapReport, org_name: str = "") -> str:
    counts = report.counts()
    lines = [
        f"# 差距分析报告：{org_name or report.org}",
        "",
        f"已覆盖 {counts['covered']} 项，部分覆盖 {counts['partial']} 项，"
        f"缺失 {counts['missing']} 项。",
        "",
        "| 体系 | 条款 | 要求 | 结论 | 依据 | 说明 |",
        "|---|---|---|---|---|---|",
    ]
    for item in report.items:
        sources = "；".join(f"{h.doc_id} {h.ref}" for h in item.evidence) or "—"
        lines.append(
            f"| {item.framework} | {item.ref} | {item.title} | {STATUS_LABELS[item.status]} "
            f"| {sources} | {item.reason} |"
        )
    return "\n".join(lines) + "\n"


def to_xlsx(report: GapReport, org_name: str = "") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    fills = {
        GapStatus.covered: PatternFill("solid", fgColor="D9EAD3"),
        GapStatus.partial: PatternFill("solid", fgColor="FFF2CC"),
        GapStatus.missing: PatternFill("solid", fgColor="F4CCCC"),
    }
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "差距分析"
    sheet.append([f"差距分析报告：{org_name or report.org}"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(["体系", "条款", "要求", "结论", "依据", "说明"])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for item in report.items:
        sources = "；".join(f"{h.doc_id} {h.ref}" for h in item.evidence)
        sheet.append([item.framework, item.ref, item.title, STATUS_LABELS[item.status], sources,
                      item.reason])  # fmt: skip
        sheet.cell(row=sheet.max_row, column=4).fill = fills[item.status]
    for column, width in zip("ABCDEF", (10, 8, 28, 10, 36, 70), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
