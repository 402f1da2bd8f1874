"""Questions from facts: seeded, spread over the passages, each one validated or dropped."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from assistant.quiz.check import validate
from assistant.quiz.distractors import Pools, modals, numbers
from assistant.quiz.facts import Fact, claimed_count, extract
from assistant.quiz.schema import (
    BLANK,
    FALSE,
    LETTERS,
    TRUE,
    Difficulty,
    GenerationReport,
    Question,
    QuestionType,
    Source,
)
from assistant.quiz.tokens import MODAL_FLIP, MODAL_OF, Category
from assistant.schema import Chunk, Kind

MAX_QUESTIONS = 200
SPAN_LIMITS = {Difficulty.easy: 60, Difficulty.medium: 90, Difficulty.hard: 120}
OPTION_COUNTS = {Difficulty.easy: 4, Difficulty.medium: 4, Difficulty.hard: 5}
_USES: dict[QuestionType, tuple[Category, ...]] = {
    QuestionType.single: (Category.number, Category.role, Category.modal, Category.term),
    QuestionType.blank: (Category.number, Category.role, Category.term),
    QuestionType.judge: (Category.number, Category.role, Category.modal, Category.items),
    QuestionType.multiple: (Category.items,),
}


class QuizError(ValueError):
    """A request the selection cannot satisfy; ``code`` names the problem for the API."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def check_count(n: int) -> None:
    if not 1 <= n <= MAX_QUESTIONS:
        raise QuizError(
            "too_many", f"题量须在 1–{MAX_QUESTIONS} 之间 (n must be 1..{MAX_QUESTIONS})"
        )


def empty_selection() -> QuizError:
    return QuizError("empty_selection", "所选范围内没有资料 (no passages match the selection)")


_OPEN_LIST_BEFORE = ("如", "如：", "例如", "比如", "包括", "包括：", "诸如")


def closed_list(fact: Fact) -> bool:
    """A list given as examples (如…、…等) is open: an item swapped into it need not be
    wrong, so false statements are only made from closed lists."""
    before = fact.span[: fact.key_start]
    listed = fact.span[fact.key_start : fact.key_end + 1]
    return "等" not in listed and not before.endswith(_OPEN_LIST_BEFORE)


def label(chunk: Chunk) -> str:
    """《title》ref, or just the title when the ref is a guide's long heading."""
    title = chunk.title.replace("《", "").replace("》", "")
    ref = chunk.ref if chunk.kind is not Kind.guide and len(chunk.ref) <= 20 else ""
    return f"《{title}》{ref}"


def source_of(fact: Fact) -> Source:
    chunk = fact.chunk
    return Source(
        doc_id=chunk.doc_id,
        ref=chunk.ref,
        text=fact.span,
        title=chunk.title,
        kind=chunk.kind.value,
        chunk_id=chunk.chunk_id,
        passage=chunk.text,
    )


@dataclass
class Build:
    questions: list[Question] = field(default_factory=list)
    report: GenerationReport = field(
        default_factory=lambda: GenerationReport(generated=0, kept=0, dropped=0)
    )


Reworder = Callable[[Question], Question | None]


class QuizBuilder:
    """``build`` is deterministic for a seed: passages, facts and pools are ordered, and every
    random choice comes from one ``random.Random(seed)``."""

    def __init__(
        self,
        passages: Sequence[Chunk],
        pool_passages: Sequence[Chunk] = (),
        difficulty: Difficulty = Difficulty.medium,
        reword: Reworder | None = None,
    ) -> None:
        self.passages = sorted(passages, key=lambda c: (c.doc_id, c.position, c.chunk_id))
        self.difficulty = difficulty
        limit = SPAN_LIMITS[difficulty]
        self.facts = [f for c in self.passages for f in extract(c, limit)]
        selected = {c.chunk_id for c in self.passages}
        extra = sorted(
            (c for c in pool_passages if c.chunk_id not in selected), key=lambda c: c.chunk_id
        )
        self.pools = Pools([*self.facts, *(f for c in extra for f in extract(c, limit))])
        self.reword = reword

    # -- one question per type ---------------------------------------------------------
    def _lead(self, fact: Fact) -> str:
        return f"根据{label(fact.chunk)}，"

    def _distractors(self, fact: Fact, count: int, rng: random.Random) -> list[str]:
        if fact.category is Category.number:
            return numbers(fact.key, count, self.difficulty, rng)
        if fact.category is Category.modal:
            return modals(fact.key)[:count]
        return self.pools.others(fact, count, rng)

    def _cloze_stem(self, fact: Fact) -> str:
        return self._lead(fact) + fact.span[: fact.key_start] + BLANK + fact.span[fact.key_end :]

    def single(self, fact: Fact, rng: random.Random) -> Question | None:
        wrong = self._distractors(fact, OPTION_COUNTS[self.difficulty] - 1, rng)
        if len(wrong) < 2:
            return None
        options = [fact.key, *wrong]
        rng.shuffle(options)
        return Question(
            type=QuestionType.single,
            stem=self._cloze_stem(fact),
            options=options,
            answer=[LETTERS[options.index(fact.key)]],
            explanation=f"{label(fact.chunk)}原文：「{fact.span}」，应为「{fact.key}」。",
            source=source_of(fact),
        )

    def blank(self, fact: Fact, rng: random.Random) -> Question | None:
        return Question(
            type=QuestionType.blank,
            stem=self._cloze_stem(fact),
            answer=[fact.key],
            explanation=f"{label(fact.chunk)}原文：「{fact.span}」。",
            source=source_of(fact),
        )

    def multiple(self, fact: Fact, rng: random.Random) -> Question | None:
        total = OPTION_COUNTS[self.difficulty]
        claimed = claimed_count(fact.span[: fact.key_start])
        if claimed is None:
            right = rng.sample(list(fact.items), min(len(fact.items), rng.choice((2, 3))))
        elif claimed == len(fact.items) and claimed < total:  # 「有四种」: all four are right
            right = list(fact.items)
        else:
            return None  # the stem's count and the options could not agree
        wrong = self.pools.list_items(fact, total - len(right), rng, self.difficulty)
        if not wrong:
            return None
        options = right + wrong
        rng.shuffle(options)
        listed = "、".join(right)
        return Question(
            type=QuestionType.multiple,
            stem=self._cloze_stem(fact),
            options=options,
            answer=[LETTERS[i] for i, o in enumerate(options) if o in right],
            explanation=f"{label(fact.chunk)}原文：「{fact.span}」。{listed}在其列，"
            f"{'、'.join(wrong)}不在其列。",
            source=source_of(fact),
        )

    def judge(self, fact: Fact, rng: random.Random, true: bool = True) -> Question | None:
        """A true statement is the span itself; a false one changes the fact that matters in
        it (a number with its unit, a role, a must/must-not, a list item), never a filler."""
        lead, span = self._lead(fact), fact.span
        if true:
            return Question(
                type=QuestionType.judge,
                stem=lead + span,
                answer=[TRUE],
                explanation=f"正确。{label(fact.chunk)}原文：「{span}」。",
                source=source_of(fact),
            )
        start, original = fact.key_start, fact.key
        if fact.category is Category.modal:
            changed = MODAL_FLIP[MODAL_OF[fact.key]]
        elif fact.category is Category.items:  # swap one list item for another list's
            if not closed_list(fact):
                return None
            original = rng.choice(fact.items)
            start = span.find(original, fact.key_start)
            wrong = self.pools.list_items(fact, 1, rng, self.difficulty)
            if not wrong:
                return None
            changed = wrong[0]
        else:
            wrong = self._distractors(fact, 1, rng)
            if not wrong:
                return None
            changed = wrong[0]
        statement = span[:start] + changed + span[start + len(original) :]
        return Question(
            type=QuestionType.judge,
            stem=lead + statement,
            answer=[FALSE],
            explanation=f"错误。{label(fact.chunk)}原文：「{span}」，"
            f"是「{original}」而不是「{changed}」。",
            source=source_of(fact),
        )

    # -- the quiz ---------------------------------------------------------------------
    def _queues(self, rng: random.Random) -> dict[QuestionType, list[Fact]]:
        """Per type, the usable facts shuffled and then dealt round-robin over passages,
        so a quiz covers many passages before it repeats one."""
        queues = {}
        for qtype, categories in _USES.items():
            facts = [f for f in self.facts if f.category in categories]
            rng.shuffle(facts)
            by_chunk: dict[str, list[Fact]] = defaultdict(list)
            for fact in facts:
                by_chunk[fact.chunk.chunk_id].append(fact)
            rounds = max((len(v) for v in by_chunk.values()), default=0)
            queues[qtype] = [g[i] for i in range(rounds) for g in by_chunk.values() if i < len(g)]
        return queues

    def build(self, n: int, types: Sequence[QuestionType], seed: int = 0) -> Build:
        check_count(n)
        if not self.passages:
            raise empty_selection()
        types = list(dict.fromkeys(types)) or list(QuestionType)
        rng = random.Random(seed)
        queues = self._queues(rng)
        used: set[str] = set()  # no two questions rest on the same sentence
        result = Build()
        truths = {True: 0, False: 0}
        asked: list[str] = []  # the kind of fact behind each kept question

        def judge(fact: Fact, rng: random.Random) -> Question | None:
            """True or false by turns (which one leads is seeded), so a trainee who always
            answers 正确 scores half, not whatever luck gave."""
            lagging = [t for t in (True, False) if truths[t] < truths[not t]]
            return self.judge(fact, rng, lagging[0] if lagging else rng.random() < 0.5)

        makers = {
            QuestionType.single: self.single,
            QuestionType.multiple: self.multiple,
            QuestionType.judge: judge,
            QuestionType.blank: self.blank,
        }
        slot = 0
        while len(result.questions) < n:
            order = types[slot % len(types) :] + types[: slot % len(types)]
            slot += 1
            question = None
            for qtype in order:  # a type whose facts ran out yields to the next
                while queues[qtype] and question is None:
                    fact = queues[qtype].pop(0)
                    if (fact.sentence or fact.span) in used:
                        continue
                    question = makers[qtype](fact, rng)
                    if question is None:
                        continue
                    used.add(fact.sentence or fact.span)
                    question = self._checked(question, result.report)
                if question is not None:
                    break
            if question is None:
                kept = len(result.questions)
                raise QuizError(
                    "not_enough_sources",
                    f"所选资料只够出 {kept} 道题，少于要求的 {n} 道 "
                    f"(the selection yields only {kept} questions; asked for {n})",
                )
            if question.type is QuestionType.judge:
                truths[question.answer == [TRUE]] += 1
            result.questions.append(question)
            asked.append(fact.category.value)
        report = result.report
        report.kept = len(result.questions)
        report.passages = len(self.passages)
        report.true_statements, report.false_statements = truths[True], truths[False]
        report.facts = dict(Counter(asked))
        report.documents = len({q.source.doc_id for q in result.questions})
        report.sections = len({(q.source.doc_id, q.source.ref) for q in result.questions})
        return result

    def _checked(self, question: Question, report: GenerationReport) -> Question | None:
        """Validate; offer the LLM's wording (validated the same way) when configured."""
        report.generated += 1
        if validate(question):
            report.dropped += 1
            return None
        if self.reword is not None:
            worded = self.reword(question)
            if worded is not None and not validate(worded):
                report.llm_reworded += 1
                return worded
        return question
