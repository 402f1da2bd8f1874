"""Shared fixtures: the real e5 model (loaded once) and real Chroma stores in temp dirs."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from assistant.embedding.encoder import Encoder, get_encoder
from assistant.knowledge import KnowledgeBase
from assistant.settings import PROJECT_ROOT, Settings, get_settings

REGULATIONS_DIR = PROJECT_ROOT.parent / "shared" / "regulations"
CORPUS_DIR = PROJECT_ROOT / "corpus"
CLIENTS_DIR = CORPUS_DIR / "clients"
COMPANY_CORPUS = sorted(p for p in CORPUS_DIR.iterdir() if p.is_dir() and p != CLIENTS_DIR)
"""What our own staff see: everything but the consulting clients' folders."""


def regulation_files() -> list[Path]:
    if not REGULATIONS_DIR.is_dir():
        return []
    return sorted(p for p in REGULATIONS_DIR.glob("*.md") if p.name != "README.md")


requires_regulations = pytest.mark.skipif(
    not regulation_files(), reason=f"official texts not found in {REGULATIONS_DIR}"
)


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    return get_settings().model_copy(update={"data_dir": data_dir, **overrides})


@pytest.fixture(scope="session")
def encoder() -> Encoder:
    enc = get_encoder(get_settings())
    if not Path(enc.name).is_dir() and not get_settings().embedding_model:
        pytest.fail(f"embedding model missing at {enc.name}: run `make setup`")
    return enc


@pytest.fixture()
def empty_kb(tmp_path: Path, encoder: Encoder) -> KnowledgeBase:
    return KnowledgeBase(make_settings(tmp_path / "data"), encoder)


@pytest.fixture(scope="session")
def corpus_kb(
    tmp_path_factory: pytest.TempPathFactory, encoder: Encoder
) -> Iterator[KnowledgeBase]:
    """Built-in corpus plus (when present) the official regulation texts, indexed once."""
    kb = KnowledgeBase(make_settings(tmp_path_factory.mktemp("corpus") / "data"), encoder)
    report = kb.ingest([*COMPANY_CORPUS, *regulation_files()], progress=False)
    assert not report.failed, report.failed
    yield kb
