"""Everything a process needs, built once: knowledge base, conversations, answerer."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import cached_property

from assistant.access import AccessStore
from assistant.answer.llm import LLMGenerator
from assistant.answer.pipeline import Answerer
from assistant.conversations import ConversationStore
from assistant.db import database_engine
from assistant.gaps import GapAssessor
from assistant.knowledge import KnowledgeBase
from assistant.quiz.store import QuizStore
from assistant.quiz.wording import LLMWording
from assistant.settings import Settings, get_settings


@dataclass
class Services:
    settings: Settings
    kb: KnowledgeBase
    conversations: ConversationStore
    answerer: Answerer
    access: AccessStore
    write_lock: threading.Lock = field(default_factory=threading.Lock)
    _gaps: GapAssessor | None = field(default=None, repr=False)
    _gaps_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def gap_assessor(self) -> GapAssessor:
        """Built once per process: it embeds every requirement."""
        with self._gaps_lock:
            if self._gaps is None:
                self._gaps = GapAssessor(self.kb)
            return self._gaps

    def prepare(self) -> None:
        """Load (or make once, for every later process) what a first question or report
        would wait for: the query engine, the BM25 index, the off-topic subjects' and the
        requirements' vectors."""
        self.kb.encoder.warm()
        self.kb.retriever.lexical.get()
        _ = self.answerer.off_topic.vectors
        self.gap_assessor()

    @cached_property
    def quizzes(self) -> QuizStore:
        """Quizzes live in the conversations database."""
        return QuizStore(self.conversations.engine)

    @cached_property
    def quiz_wording(self) -> LLMWording | None:
        return LLMWording(self.answerer.llm) if self.answerer.llm is not None else None

    @classmethod
    def build(cls, settings: Settings | None = None, kb: KnowledgeBase | None = None) -> Services:
        settings = settings or get_settings()
        kb = kb or KnowledgeBase(settings)
        engine = database_engine(settings)
        conversations = ConversationStore(engine)
        llm = LLMGenerator(settings) if settings.llm_base_url else None
        answerer = Answerer(kb, conversations, llm=llm)
        access = AccessStore(engine)
        access.ensure_orgs(d.org for d in kb.documents())  # an index made before orgs existed
        return cls(settings, kb, conversations, answerer, access)
