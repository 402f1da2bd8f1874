"""Answering: rewrite follow-up -> retrieve -> select evidence -> generate -> check -> reply."""

from __future__ import annotations

import re
import time
from collections.abc import Generator, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass

from assistant.answer.answerability.checks import figure_claims
from assistant.answer.answerability.model import AnswerabilityModel
from assistant.answer.answerability.policy import OffTopicSubjects, RefusalPolicy, Verdict
from assistant.answer.comparison import compared_sides
from assistant.answer.compose import LIST_LINE_RE, Draft, ExtractiveGenerator
from assistant.answer.llm import LLMGenerator, LLMUnavailable
from assistant.answer.polarity import leading_verdict
from assistant.answer.rewrite import rewrite_follow_up
from assistant.answer.schema import Citation, Reply
from assistant.conversations import ConversationNotFound, ConversationStore
from assistant.knowledge import KnowledgeBase
from assistant.refs import find_refs
from assistant.retrieval.glossary import expand_query
from assistant.retrieval.hybrid import Mode
from assistant.schema import DEFAULT_ORG, Hit
from assistant.store.chroma_store import SearchFilter
from assistant.text.analysis import Shape, question_shape

_TRAILING_PUNCT_RE = re.compile(r"[。；;，,！!？?]+$")
CLOSEST_SOURCES = 3
PREMISE_HITS = 3


def answer_pieces(answer: str) -> list[str]:
    """Sentence-sized pieces (marker and punctuation kept with their sentence)."""
    return [piece for piece in re.split(r"(?<=[。！？\n])", answer) if piece]


@dataclass
class StreamEvent:
    """A piece of the answer (``delta``), or, last, the whole ``reply``."""

    delta: str = ""
    reply: Reply | None = None


@dataclass
class _Turn:
    question: str
    rewritten: str
    assessment: Assessment
    reply: Reply
    timings: dict[str, float]
    started: float


@dataclass
class Assessment:
    hits: list[Hit]
    draft: Draft
    verdict: Verdict


@contextmanager
def _timed(timings: dict[str, float], name: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[name] = round((time.perf_counter() - start) * 1000, 2)


def _citation(n: int, hit: Hit) -> Citation:
    return Citation(n=n, **hit.model_dump())


def render(
    sentences: list[tuple[str, list[int]]],
    hits: list[Hit],
    lead: str = "",
    one_per_line: bool = False,
) -> tuple[str, list[Citation]]:
    """Sentences (text, indexes of the hits that support it) with [n] markers; citations
    numbered by first use. ``lead``: a word before them (不可以。), unsupported by itself."""
    numbers: dict[int, int] = {}
    parts: list[str] = [f"{lead}。"] if lead else []
    for text, hit_indexes in sentences:
        markers = "".join(f"[{numbers.setdefault(i, len(numbers) + 1)}]" for i in hit_indexes)
        # steps and the sides of a comparison: one a line
        line_break = "\n" if parts and (one_per_line or LIST_LINE_RE.match(text)) else ""
        body = _TRAILING_PUNCT_RE.sub("", text)
        end = "" if body.endswith(("：", ":")) else "。"  # a list's opener: its items follow
        parts.append(f"{line_break}{body}{markers}{end}")
    citations = [_citation(n, hits[index]) for index, n in numbers.items()]
    return "".join(parts), sorted(citations, key=lambda c: c.n)


def search_filter(org: str | None, filters: SearchFilter | None) -> SearchFilter:
    """An org sees its own documents plus the public ones."""
    base = filters or SearchFilter()
    if org is None:
        return base
    orgs = [org] if org == DEFAULT_ORG else [org, DEFAULT_ORG]
    if base.orgs:
        orgs = [o for o in base.orgs if o in orgs]
        if not orgs:
            orgs = ["\x00none"]  # asked only for orgs outside its scope: nothing
    return SearchFilter(kinds=base.kinds, orgs=orgs, doc_ids=base.doc_ids)


def one_private_org(hits: list[Hit]) -> list[Hit]:
    """Public sources plus the first company's own: an answer that mixes two companies'
    procedures (a scope of several orgs) is wrong for both."""
    private = next((hit.org for hit in hits if hit.org != DEFAULT_ORG), None)
    return [hit for hit in hits if hit.org in (DEFAULT_ORG, private)]


def lead_with_verdict(question: str, draft: Draft) -> None:
    """The first drafted sentence that settles a yes/no question goes first, after 可以 /
    不可以; when none does, the answer starts with its basis as composed."""
    for index, picked in enumerate(draft.sentences):
        verdict = leading_verdict(question, picked.text)
        if verdict:
            draft.sentences.insert(0, draft.sentences.pop(index))
            draft.lead = verdict
            return


def llm_fallback_warning(exc: LLMUnavailable) -> str:
    return f"llm unavailable, extractive answer used: {exc}"


class Answerer:
    def __init__(
        self,
        kb: KnowledgeBase,
        conversations: ConversationStore,
        policy: RefusalPolicy | None = None,
        llm: LLMGenerator | None = None,
        mode: Mode = Mode.hybrid,
    ) -> None:
        """``mode``: the retrieval the answers rest on (the eval compares them)."""
        self.kb = kb
        self.mode = mode
        self.conversations = conversations
        self.policy = policy or RefusalPolicy(AnswerabilityModel.load())
        self.extractive = ExtractiveGenerator()
        self.llm = llm
        self.off_topic = OffTopicSubjects(kb)

    def ask(
        self,
        question: str,
        conversation_id: str | None = None,
        org: str | None = None,
        filters: SearchFilter | None = None,
        history: list[str] | None = None,
    ) -> Reply:
        """``history`` (earlier rewritten questions) overrides the stored conversation's."""
        turn = self._begin(question, conversation_id, org, filters, history)
        if self.llm is not None and not turn.reply.refused:
            with _timed(turn.timings, "llm"):
                self._llm_answer(turn.rewritten, turn.assessment.hits, turn.reply)
        return self._finish(turn)

    def ask_stream(
        self,
        question: str,
        conversation_id: str | None = None,
        org: str | None = None,
        filters: SearchFilter | None = None,
        history: list[str] | None = None,
    ) -> Iterator[StreamEvent]:
        """Answer pieces as they are made (LLM sentences once checked), then the reply."""
        turn = self._begin(question, conversation_id, org, filters, history)
        streamed = False
        if self.llm is not None and not turn.reply.refused:
            with _timed(turn.timings, "llm"):
                streamed = yield from self._stream_llm(turn)
        if not streamed:
            for piece in answer_pieces(turn.reply.answer):
                yield StreamEvent(delta=piece)
        yield StreamEvent(reply=self._finish(turn))

    def _begin(
        self,
        question: str,
        conversation_id: str | None,
        org: str | None,
        filters: SearchFilter | None,
        history: list[str] | None,
    ) -> _Turn:
        question = question.strip()
        if not question:
            raise ValueError("question is empty")
        timings: dict[str, float] = {}
        start = time.perf_counter()
        if conversation_id is None:
            conversation_id = self.conversations.create(org=org)
        elif not self.conversations.exists(conversation_id):
            raise ConversationNotFound(conversation_id)
        elif history is None:
            history = self.conversations.history(conversation_id)
        with _timed(timings, "rewrite"):
            rewritten = rewrite_follow_up(question, history or [])
            if self.llm is not None and history and rewritten != question:
                # on an outage the rule-based rewrite stands; the answer step reports it
                with suppress(LLMUnavailable):
                    rewritten = self.llm.rewrite(question, history, rewritten)
        assessment = self.assess(rewritten, org, filters, timings)
        reply = self._reply(assessment, conversation_id, rewritten)
        reply.scope = search_filter(org, filters).orgs or None
        return _Turn(question, rewritten, assessment, reply, timings, start)

    def _finish(self, turn: _Turn) -> Reply:
        turn.timings["total"] = round((time.perf_counter() - turn.started) * 1000, 2)
        turn.reply.timings_ms = turn.timings
        turn.reply.turn = self.conversations.add_turn(
            turn.reply.conversation_id, turn.question, turn.reply
        )
        return turn.reply

    def _stream_llm(self, turn: _Turn) -> Generator[StreamEvent, None, bool]:
        """Stream checked LLM sentences; False when none survived (caller sends extractive)."""
        assert self.llm is not None
        hits, reply = turn.assessment.hits, turn.reply
        kept: list[tuple[str, list[int]]] = []
        dropped = 0
        sent = 0  # characters of the rendered answer already streamed
        try:
            for checked in self.llm.stream_checked(turn.rewritten, hits):
                if checked is None:
                    dropped += 1
                    continue
                kept.append(checked)
                answer = render(kept, hits)[0]
                yield StreamEvent(delta=answer[sent:])
                sent = len(answer)
        except LLMUnavailable as exc:
            reply.warnings.append(llm_fallback_warning(exc))
            if not kept:
                return False
        if not kept:
            reply.warnings.append("llm answer rejected by the grounding check")
            return False
        if dropped:
            reply.warnings.append(f"{dropped} unsupported llm sentences removed")
        reply.answer, reply.citations = render(kept, hits)
        reply.generator = self.llm.name
        return True

    def assess(
        self,
        question: str,
        org: str | None = None,
        filters: SearchFilter | None = None,
        timings: dict[str, float] | None = None,
    ) -> Assessment:
        """Retrieve, draft and judge a stand-alone question (no conversation state)."""
        timings = {} if timings is None else timings
        scope = search_filter(org, filters)
        with _timed(timings, "retrieve"):
            query_vector = self.kb.retriever.embed(question)[0]
            hits = self.kb.search(
                question,
                k=self.kb.settings.answer_hits,
                filters=scope,
                mode=self.mode,
                query_vector=query_vector,
            )
            hits = one_private_org(hits)
            # a stated figure (「…20天的期限…」) is checked where the sources discuss it, which
            # need not be where the question's real ask is answered
            premises = figure_claims(question)
            premise_hits = (
                self.kb.search("，".join(premises), k=PREMISE_HITS, filters=scope, mode=self.mode)
                if premises
                else []
            )
        with _timed(timings, "generate"):
            shape = question_shape(question)
            expanded = expand_query(question)  # 管评 -> 管理评审: match the sources' terms
            lexical = self.kb.retriever.lexical.get()
            sides = compared_sides(question) if shape is Shape.difference else None
            weights = self.kb.retriever.term_weights(expanded)
            draft = self.extractive.compose(expanded, hits, shape, weights, sides)
            if shape is Shape.yes_no:
                lead_with_verdict(question, draft)
            verdict = self.policy.judge(
                question,
                expanded,
                hits,
                draft,
                shape,
                lexicon=lexical,
                known_codes=lexical.codes,
                ref_named=bool(find_refs(question)),
                premise_hits=premise_hits,
                off_topic=self.off_topic.closeness(query_vector),
            )
        if verdict.reason == "false_premise" and premise_hits:
            seen = {h.chunk_id for h in premise_hits}
            hits = premise_hits + [h for h in hits if h.chunk_id not in seen]
        return Assessment(hits, draft, verdict)

    @staticmethod
    def _reply(assessment: Assessment, conversation_id: str, rewritten: str) -> Reply:
        verdict, draft, hits = assessment.verdict, assessment.draft, assessment.hits
        if verdict.refuse:
            closest = [_citation(n, hit) for n, hit in enumerate(hits[:CLOSEST_SOURCES], 1)]
            reading = "；".join(f"[{c.n}]《{c.title}》{c.ref}" for c in closest)
            message = verdict.message + (f"\n可参考最接近的资料：{reading}" if closest else "")
            return Reply(
                answer=message,
                citations=closest,
                refused=True,
                conversation_id=conversation_id,
                rewritten_question=rewritten,
                warnings=[f"refused: {verdict.reason}"],
            )
        answer, citations = render(
            [(p.text, [p.hit_index]) for p in draft.sentences],
            hits,
            draft.lead,
            draft.one_per_line,
        )
        return Reply(
            answer=answer,
            citations=citations,
            refused=False,
            conversation_id=conversation_id,
            rewritten_question=rewritten,
        )

    def _llm_answer(self, question: str, hits: list[Hit], reply: Reply) -> None:
        """Replace the extractive answer by the checked LLM answer, when it holds up."""
        assert self.llm is not None
        try:
            checked = self.llm.generate(question, hits)
        except LLMUnavailable as exc:
            reply.warnings.append(llm_fallback_warning(exc))
            return
        if not checked.acceptable:
            why = "declined" if checked.declined else f"{checked.dropped} unsupported sentences"
            reply.warnings.append(f"llm answer rejected by the grounding check ({why})")
            return
        if checked.dropped:
            reply.warnings.append(f"{checked.dropped} unsupported llm sentences removed")
        reply.answer, reply.citations = render(checked.sentences, hits)
        reply.generator = self.llm.name
