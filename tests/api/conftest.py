from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.access import AccessStore
from assistant.answer.pipeline import Answerer
from assistant.api.app import create_app
from assistant.conversations import ConversationStore
from assistant.db import make_engine
from assistant.knowledge import KnowledgeBase
from assistant.services import Services


def services_over(kb: KnowledgeBase, database: Path, **settings: object) -> Services:
    """The app's services over a shared index, with their own database."""
    engine = make_engine(f"sqlite:///{database}")
    conversations = ConversationStore(engine)
    access = AccessStore(engine)
    access.ensure_orgs(d.org for d in kb.documents())  # as Services.build does
    return Services(
        kb.settings.model_copy(update=settings),
        kb,
        conversations,
        Answerer(kb, conversations),
        access,
    )


@pytest.fixture()
def client(corpus_kb: KnowledgeBase, tmp_path: Path) -> Iterator[TestClient]:
    """Dev mode (anonymous admin): these tests are about the routes, not access control."""
    services = services_over(corpus_kb, tmp_path / "api.db", anonymous_role="admin")
    with TestClient(create_app(services.settings, services)) as test_client:
        yield test_client
