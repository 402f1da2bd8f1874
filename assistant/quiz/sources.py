"""Which passages a quiz is built from: documents, kinds, orgs, a procedure, a ref range."""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant.quiz.generate import QuizError
from assistant.quiz.schema import Selection
from assistant.refs import ARTICLE_RE, PROCEDURE_RE, NumeralError, cn_to_int
from assistant.schema import DEFAULT_ORG, Chunk
from assistant.store.chroma_store import ChunkStore, SearchFilter

POOL_LIMIT = 5000
_RANGE_SPLIT_RE = re.compile(r"\s*(?:-|–|—|~|～|至|到)\s*")
_CLAUSE_RE = re.compile(r"^\d+(?:\.\d+)*$")

Predicate = Callable[[Chunk], bool]


def _bad_ref(text: str) -> QuizError:
    return QuizError(
        "bad_ref",
        f"无法识别的条款范围「{text}」，例如：第五条-第十条、7.1-7.5、HR-QP-05 §4.1-4.5 "
        f"(unrecognised ref range {text!r})",
    )


def _clause_key(clause: str) -> tuple[int, ...]:
    return tuple(int(p) for p in clause.split(".") if p.isdigit())


def _clause_range(low: str, high: str) -> Predicate:
    """7.1-7.5 takes 7.1, 7.1.5 … 7.5.3; a single 8.5 takes 8.5 and everything under it."""
    lo, hi = _clause_key(low), _clause_key(high)

    def inside(chunk: Chunk) -> bool:
        key = _clause_key(chunk.clause)
        return bool(key) and lo <= key[: len(lo)] and key[: len(hi)] <= hi

    return inside


def _article(text: str) -> int:
    text = text.strip().removeprefix("第").removesuffix("条").strip()
    return cn_to_int(text)


def ref_predicate(text: str) -> tuple[str, Predicate]:
    """(procedure code or "", a test on chunks) for ``第五条-第十条``, ``7.1-7.5``,
    ``HR-QP-05`` or ``HR-QP-05 §4.1-4.5``."""
    text = text.strip()
    procedure = PROCEDURE_RE.match(text)
    if procedure:
        code, rest = procedure.group(1), text[len(procedure.group(1)) :].strip().lstrip("§").strip()
        if not rest:
            return code, lambda chunk: True
        text = rest
    else:
        code = ""
    parts = _RANGE_SPLIT_RE.split(text)
    if len(parts) > 2 or not all(parts):
        raise _bad_ref(text)
    low, high = parts[0], parts[-1]
    if ARTICLE_RE.search(text) or low.startswith("第"):
        try:
            first, last = _article(low), _article(high)
        except NumeralError as exc:
            raise _bad_ref(text) from exc
        return code, lambda chunk: chunk.article is not None and first <= chunk.article <= last
    if _CLAUSE_RE.match(low) and _CLAUSE_RE.match(high):
        return code, _clause_range(low, high)
    raise _bad_ref(text)


def select_passages(store: ChunkStore, selection: Selection) -> list[Chunk]:
    code = selection.procedure.strip()
    predicate: Predicate = lambda chunk: True  # noqa: E731
    if selection.ref.strip():
        ref_code, predicate = ref_predicate(selection.ref)
        code = code or ref_code
    filters = SearchFilter(kinds=selection.kinds, orgs=selection.orgs, doc_ids=selection.doc_ids)
    where = filters.where({"code": code} if code else None)
    return [c for c in store.chunks_matching(where) if predicate(c) and c.text.strip()]


def distractor_pool(store: ChunkStore, passages: list[Chunk]) -> list[Chunk]:
    """Same kinds of source, from the passages' own orgs and public ones only: one org's
    procedures never leak into another org's quiz."""
    kinds = sorted({c.kind.value for c in passages})
    orgs = sorted({c.org for c in passages} | {DEFAULT_ORG})
    return store.chunks_matching(SearchFilter(kinds=kinds, orgs=orgs).where(), limit=POOL_LIMIT)
