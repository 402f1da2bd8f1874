"""The local LLM's start check and crash fallback, against a real server process that
dies of SIGILL on its first completion (what a native build does on the wrong CPU)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.answer.llm import LLMGenerator
from assistant.answer.pipeline import Answerer
from assistant.conversations import ConversationStore
from assistant.db import make_engine
from assistant.knowledge import KnowledgeBase
from assistant.launch import start_local_llm
from assistant.llm.local_model import (
    LocalModelCrashed,
    check_completion,
    describe_exit,
)
from tests.server import free_port, running

pytestmark = pytest.mark.server


@pytest.fixture()
def crashing_server(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    command = [sys.executable, "-m", "tests.llm.crashing_server", str(port)]
    url = f"http://127.0.0.1:{port}/v1"
    with running(command, f"{url}/models", tmp_path / "crash.log") as process:
        yield url, process


def _answerer(kb: KnowledgeBase, tmp_path: Path, base_url: str) -> Answerer:
    settings = kb.settings.model_copy(update={"llm_base_url": base_url})
    store = ConversationStore(make_engine(f"sqlite:///{tmp_path}/crash.db"))
    return Answerer(kb, store, llm=LLMGenerator(settings))


@pytest.mark.parametrize(
    ("returncode", "meaning"),
    [(-4, "illegal instruction"), (132, "illegal instruction"), (-9, "SIGKILL"), (1, "status 1")],
)
def test_exit_status_is_described(returncode: int, meaning: str) -> None:
    assert meaning in describe_exit(returncode)


def test_start_check_names_the_crash_and_the_fix(
    crashing_server: tuple[str, subprocess.Popen[bytes]],
) -> None:
    url, process = crashing_server
    with pytest.raises(LocalModelCrashed) as raised:
        check_completion(url, process, timeout=30)
    assert process.returncode == -4
    assert "crashed on this CPU (illegal instruction" in str(raised.value)
    assert "make llm-rebuild" in str(raised.value)


def test_crash_falls_back_to_an_extractive_answer_with_the_warning(
    corpus_kb: KnowledgeBase, tmp_path: Path, crashing_server: tuple[str, subprocess.Popen[bytes]]
) -> None:
    url, process = crashing_server
    answerer = _answerer(corpus_kb, tmp_path, url)
    reply = answerer.ask("C级供应商多长时间内要整改？")
    assert process.poll() == -4, "the server should have died on the completion"
    assert not reply.refused and reply.generator == "extractive"
    assert "3个月" in reply.answer and reply.citations[0].doc_id == "HR-QP-07"
    [warning] = [w for w in reply.warnings if w.startswith("llm unavailable")]
    assert "stopped answering" in warning and "make llm-rebuild" in warning
    assert "Connection error" not in warning and "APIConnectionError" not in warning

    streamed = list(answerer.ask_stream("谁主持管理评审？"))[-1].reply
    assert streamed is not None and streamed.generator == "extractive"
    assert "总经理" in streamed.answer
    assert any("make llm-rebuild" in w for w in streamed.warnings), streamed.warnings


def test_launch_warns_and_goes_on_without_the_crashed_llm(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`CERTGUIDE_LLM=local make run` on the wrong CPU: a plain warning, no dead process
    left for the launcher to wait on, and the API and UI start as usual."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/v1"
    command = [sys.executable, "-m", "tests.llm.crashing_server", str(port)]
    assert start_local_llm(command, url) == []
    warning = capsys.readouterr().err
    assert "the local LLM crashed on this CPU (illegal instruction, SIGILL)" in warning
    assert "make llm-rebuild" in warning and "answers are extractive" in warning
