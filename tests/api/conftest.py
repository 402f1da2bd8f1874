from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.answer.pipeline import Answerer
from assistant.api.app import create_app
from assistant.conversations import ConversationStore, make_engine
from assistant.knowledge import KnowledgeBase
from assistant.services import Services


@pytest.fixture()
def client(corpus_kb: KnowledgeBase, tmp_path: Path) -> Iterator[TestClient]:
    """The app over the shared corpus index, with its own conversation database."""
    conversations = ConversationStore(make_engine(f"sqlite:///{tmp_path}/api.db"))
    services = Services(corpus_kb.settings, corpus_kb, conversations,
                        Answerer(corpus_kb, conversations))  # fmt: skip
    with TestClient(create_app(corpus_kb.settings, services)) as test_client:
        yield test_client
