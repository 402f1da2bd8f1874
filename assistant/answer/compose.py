"""The default generator: an answer composed of the evidence's own sentences, each cited.

It needs no LLM, cannot invent a fact, and leads with the sentence that best answers the
question's shape (a duration for 多久, a department for 谁, a penalty for 会怎样 …).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.answer.text import (
    NUMBER_RE,
    Shape,
    answers_shape,
    content_terms,
    coverage,
    looks_like_list,
    needs_specific_evidence,
    split_sentences,
)
from assistant.retrieval.lexical import tokenize
from assistant.schema import Hit, Kind
from assistant.text.lexicon import words

EVIDENCE_HITS = 8
PREFACE_WEIGHT = 0.5
SAME_FACT_OVERLAP = 0.4
_RANK_WEIGHTS = (1.0, 0.85, 0.75, 0.65, 0.6, 0.55, 0.5, 0.45)
LIST_LINE_RE = re.compile(
    r"^\s*(?:\d+[.、)）]|[（(][一二三四五六七八九十\d]+[）)]|[-*•]|第[一二三四五六七八九十]+步)"
)


@dataclass
class Picked:
    text: str
    hit_index: int
    score: float
    overlap: float = 0.0  # share of the question's terms in the sentence
    fits_shape: bool = False  # has the kind of fact the question asks for


@dataclass
class Draft:
    sentences: list[Picked] = field(default_factory=list)
    shape_ok: bool = True


def _token_overlap(a: str, b: str) -> float:
    ta, tb = set(tokenize(a)), set(tokenize(b))
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / min(len(ta), len(tb))


def figures(sentence: str) -> set[str]:
    """Numbers with the character after them (5年, 6个, 30日): the facts a sentence states."""
    return {
        match.group(0) + sentence[match.end() : match.end() + 1]
        for match in NUMBER_RE.finditer(sentence)
    }


def states_same_fact(a: str, b: str) -> bool:
    """「有效期为5年」 in the regulation, its summary and a guide: one fact, said once."""
    overlap = _token_overlap(a, b)
    return overlap > 0.7 or (overlap > SAME_FACT_OVERLAP and bool(figures(a) & figures(b)))


def is_preface(hit: Hit) -> bool:
    """A document's opening (before its first heading) or an overview/purpose/scope section
    speaks about the document (本指南写给…, 文中的时限依据…), not about the question."""
    if hit.ref == hit.title:
        return True
    section = hit.section.split(">")[-1].strip()
    name = section.lstrip("0123456789. ").strip()
    return name in words("overview_sections")


def _retold(kept: Picked, other: Picked, hits: list[Hit]) -> bool:
    """A guide retells what a regulation, clause or procedure says: when the text itself
    holds the asked-for fact, or every figure of the guide's sentence, the answer quotes and
    cites the text."""
    return (
        hits[kept.hit_index].kind is Kind.guide
        and hits[other.hit_index].kind is not Kind.guide
        and (other.fits_shape or figures(kept.text) <= figures(other.text))
    )


class ExtractiveGenerator:
    name = "extractive"

    def __init__(self, max_sentences: int = 3) -> None:
        self.max_sentences = max_sentences

    def compose(self, question: str, hits: list[Hit], shape: Shape) -> Draft:
        terms = content_terms(question)
        scored: list[Picked] = []
        for index, hit in enumerate(hits[:EVIDENCE_HITS]):
            weight = _RANK_WEIGHTS[min(index, len(_RANK_WEIGHTS) - 1)]
            damping = PREFACE_WEIGHT if is_preface(hit) else 1.0
            for sentence in split_sentences(hit.text):
                overlap = coverage(terms, sentence)
                fits = answers_shape(sentence, shape) and needs_specific_evidence(shape)
                listed = shape is Shape.enumeration and looks_like_list(sentence)
                score = damping * (0.5 * weight + overlap + (0.3 if fits or listed else 0.0))
                scored.append(Picked(sentence, index, score, overlap, fits))
        if not scored:
            return Draft(shape_ok=False)
        scored.sort(key=lambda p: p.score, reverse=True)
        candidates = scored
        if needs_specific_evidence(shape):
            candidates = [p for p in scored if p.fits_shape]
            if not candidates:
                return Draft(sentences=[scored[0]], shape_ok=False)
        best = candidates[0]
        draft = Draft(sentences=[best])
        if shape is Shape.steps:
            draft.sentences = self._steps(best, hits) or draft.sentences
            return draft
        limit = self.max_sentences + (1 if shape is Shape.difference else 0)
        for picked in scored:
            if len(draft.sentences) >= limit:
                break
            if picked.score < 0.75 * best.score or picked.overlap == 0:
                continue
            kept = draft.sentences
            same = [i for i, p in enumerate(kept) if states_same_fact(picked.text, p.text)]
            if not same:
                kept.append(picked)
            elif _retold(kept[same[0]], picked, hits):
                kept[same[0]] = picked
        if shape is Shape.difference:
            self._ensure_two_sources(draft, scored)
        return draft

    @staticmethod
    def _steps(best: Picked, hits: list[Hit]) -> list[Picked]:
        """For 流程/步骤 questions, the enumerated lines of the best passage, in order."""
        lines = [line.strip() for line in hits[best.hit_index].text.split("\n")]
        items = [line for line in lines if LIST_LINE_RE.match(line)]
        if len(items) < 2:
            return []
        intro = [line for line in lines if line and not LIST_LINE_RE.match(line)][:1]
        return [Picked(text, best.hit_index, best.score) for text in intro + items[:8]]

    @staticmethod
    def _ensure_two_sources(draft: Draft, scored: list[Picked]) -> None:
        used = {p.hit_index for p in draft.sentences}
        if len(used) > 1:
            return
        for picked in scored:
            if picked.hit_index not in used:
                draft.sentences.append(picked)
                return
