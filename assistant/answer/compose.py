"""The default generator: an answer composed of the evidence's own sentences, each cited.

It needs no LLM, cannot invent a fact, and leads with the sentence that best answers the
question's shape (a duration for 多久, a department for 谁, a penalty for 会怎样 …).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from assistant.retrieval.glossary import expand_query
from assistant.retrieval.lexical import tokenize
from assistant.schema import Hit, Kind
from assistant.text.analysis import (
    NUMBER_RE,
    Shape,
    answers_shape,
    asked_units,
    content_terms,
    is_preface,
    looks_like_list,
    needs_specific_evidence,
    split_sentences,
    states_in,
    weighted_coverage,
)

EVIDENCE_HITS = 8
PREFACE_WEIGHT = 0.5
SAME_FACT_OVERLAP = 0.4
SIMILARITY_WEIGHT = 30.0  # per unit of cosine below the closest passage (chosen on dev: 0 vs 30)
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
    position: int = 0  # sentence number within its passage


@dataclass
class Draft:
    sentences: list[Picked] = field(default_factory=list)
    shape_ok: bool = True
    lead: str = ""  # 可以 / 不可以 before the basis of a yes/no answer
    one_per_line: bool = False  # the sides of a comparison


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


def _retold(kept: Picked, other: Picked, hits: list[Hit]) -> bool:
    """A guide retells what a regulation, clause or procedure says: when the text itself
    holds the asked-for fact, or every figure of the guide's sentence, the answer quotes and
    cites the text."""
    return (
        hits[kept.hit_index].kind is Kind.guide
        and hits[other.hit_index].kind is not Kind.guide
        and (other.fits_shape or figures(kept.text) <= figures(other.text))
    )


def side_by_side(sides: tuple[str, str], scored: list[Picked]) -> list[Picked] | None:
    """「XK证：…」 and 「9001认证：…」: for each side, the best sentence that speaks more of it than
    of the other; None when one sentence is the best for both (it compares them itself)."""
    terms = [content_terms(expand_query(side)) for side in sides]
    lines: list[Picked] = []
    used: set[str] = set()
    for label, (own, other) in ((sides[0], terms), (sides[1], terms[::-1])):
        own_only, other_only = own - other, other - own
        best = next(
            (
                p
                for p in scored
                if p.text not in used
                and len(own_only & (held := set(tokenize(p.text)))) > len(other_only & held)
            ),
            None,
        )
        if best is None:
            return None
        used.add(best.text)
        lines.append(Picked(f"{label}：{best.text}", best.hit_index, best.score, best.overlap))
    return lines


def _list_run(lines: list[str], start: int) -> list[str]:
    end = start
    while end < len(lines) and LIST_LINE_RE.match(lines[end]):
        end += 1
    return lines[start:end]


def list_block(best: Picked, passage: str, enumeration: bool) -> list[Picked]:
    """A sentence that opens a list (「典型审核证据：」, 「出现下列情况之一时…：甲；」) answers with
    the list, and so, for a 哪些 question, does an item of one: the intro and its items in the
    source's order, not the one item that scored best. Empty when there is no such list."""
    lines = [line.strip() for line in passage.split("\n") if line.strip()]
    at = next((i for i, line in enumerate(lines) if best.text in line), None)
    if at is None:
        return []
    line = lines[at]
    if best.text.endswith(("：", ":")):
        texts = [best.text, *_list_run(lines, at + 1)]
    elif "：" in best.text and best.text.endswith("；"):  # 「…：甲；乙；丙。」 on one line
        texts = split_sentences(line[line.find(best.text) :])
    elif enumeration and LIST_LINE_RE.match(line):
        start = at
        while start > 0 and LIST_LINE_RE.match(lines[start - 1]):
            start -= 1
        opener = lines[start - 1] if start > 0 else ""
        if not opener.endswith(("：", ":")):  # a list under a heading (记录: HR-QR-42 …)
            return []
        texts = [opener, *_list_run(lines, start)]
    else:
        return []
    if len(texts) < 3:  # an intro and one item: the following-sentence rule gives as much
        return []
    return [Picked(text, best.hit_index, best.score, best.overlap) for text in texts[:9]]


class ExtractiveGenerator:
    name = "extractive"

    def __init__(self, max_sentences: int = 3) -> None:
        self.max_sentences = max_sentences

    def compose(
        self,
        question: str,
        hits: list[Hit],
        shape: Shape,
        term_weights: Mapping[str, float] | None = None,
        sides: tuple[str, str] | None = None,
    ) -> Draft:
        """``term_weights``: the question's content terms with their IDF in the index (rare
        terms say more about which sentence answers); equal weights without it. ``sides``: the
        two things a comparison question names, answered one line each."""
        terms = content_terms(question)
        units = asked_units(question)
        weights = (
            {t: term_weights.get(t, 0.0) for t in terms}
            if term_weights
            else dict.fromkeys(terms, 1.0)
        )
        scored: list[Picked] = []
        top_similarity = max((h.similarity or 0.0 for h in hits[:EVIDENCE_HITS]), default=0.0)
        for index, hit in enumerate(hits[:EVIDENCE_HITS]):
            # the passage's prior: its place in the fused ranking, and how far its meaning (e5)
            # is from the closest passage's — for 「拿到的证管多长时间」 the fusion ranks 第二十四条
            # (颁发证书) above 第二十五条 (有效期), the embedding the other way round
            weight = _RANK_WEIGHTS[min(index, len(_RANK_WEIGHTS) - 1)]
            weight += SIMILARITY_WEIGHT * ((hit.similarity or 0.0) - top_similarity)
            damping = PREFACE_WEIGHT if is_preface(hit.title, hit.ref, hit.section) else 1.0
            for position, sentence in enumerate(split_sentences(hit.text)):
                overlap = weighted_coverage(weights, set(tokenize(sentence)))
                fits = answers_shape(sentence, shape) and needs_specific_evidence(shape)
                listed = shape is Shape.enumeration and looks_like_list(sentence)
                bonus = (0.3 if fits or listed else 0.0) + (
                    0.2 if units and states_in(sentence, units) else 0.0
                )
                score = damping * (0.5 * weight + overlap + bonus)
                scored.append(Picked(sentence, index, score, overlap, fits, position))
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
        listed_items = list_block(best, hits[best.hit_index].text, shape is Shape.enumeration)
        if listed_items:
            draft.sentences = listed_items
            return draft
        limit = self.max_sentences + (1 if shape is Shape.difference else 0)
        following = next(
            (
                p
                for p in scored
                if p.hit_index == best.hit_index and p.position == best.position + 1
            ),
            None,
        )
        # the sentence after the answer often finishes it (the rest of an article, the next
        # item of a list), whatever its own score
        if following and following.overlap > 0 and not states_same_fact(following.text, best.text):
            draft.sentences.append(following)
        for picked in scored:
            if picked in draft.sentences:
                continue
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
            lines = side_by_side(sides, scored) if sides else None
            if lines:
                draft.sentences, draft.one_per_line = lines, True
            else:
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
