"""FastAPI dependencies (``Annotated`` aliases) over the process's ``Services``."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from assistant.answer.pipeline import Answerer
from assistant.conversations import ConversationStore
from assistant.knowledge import KnowledgeBase
from assistant.quiz.store import QuizStore
from assistant.reports import ReportStore
from assistant.services import Services


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_kb(services: ServicesDep) -> KnowledgeBase:
    return services.kb


def get_answerer(services: ServicesDep) -> Answerer:
    return services.answerer


def get_conversations(services: ServicesDep) -> ConversationStore:
    return services.conversations


def get_quizzes(services: ServicesDep) -> QuizStore:
    return services.quizzes


def get_reports(services: ServicesDep) -> ReportStore:
    return ReportStore(services.settings.eval_reports_dir)


KnowledgeDep = Annotated[KnowledgeBase, Depends(get_kb)]
AnswererDep = Annotated[Answerer, Depends(get_answerer)]
ConversationsDep = Annotated[ConversationStore, Depends(get_conversations)]
ReportsDep = Annotated[ReportStore, Depends(get_reports)]
QuizzesDep = Annotated[QuizStore, Depends(get_quizzes)]
