"""Everything a process needs, built once: knowledge base, conversations, answerer."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import cached_property

from assistant.answer.llm import LLMGenerator
from assistant.answer.pipeline import Answerer
from assistant.conversations import ConversationStore, default_database_url, make_engine
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
    write_lock: threading.Lock = field(default_factory=threading.Lock)

    @cached_property
    def quizzes(self) -> QuizStore:
        """Quizzes live in the conversations database."""
        return QuizStore(self.conversations.engine)

    @cached_property
    def quiz_wording(self) -> LLMWording | None:
        return LLMWording(self.answerer.llm) if self.answerer.llm is not None else None

    @classmethod
    def build(cls, settings: Settings | None = None) -> Services:
        settings = settings or get_settings()
        kb = KnowledgeBase(settings)
        engine = make_engine(settings.database_url or default_database_url(settings.data_dir))
        conversations = ConversationStore(engine)
        llm = LLMGenerator(settings) if settings.llm_base_url else None
        return cls(settings, kb, conversations, Answerer(kb, conversations, llm=llm))
