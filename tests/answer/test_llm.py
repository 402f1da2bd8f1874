"""LLM path: the grounding post-check, and a real llama.cpp OpenAI-compatible server."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.answer.llm import LLMGenerator, check_answer
from assistant.answer.pipeline import Answerer
from assistant.conversations import ConversationStore
from assistant.db import make_engine
from assistant.knowledge import KnowledgeBase
from assistant.llm.local_model import gguf_path, is_ready, server_command
from assistant.schema import Hit, Kind
from tests.server import free_port, running

PASSAGES = [
    Hit(doc_id="HR-QP-07", title="供应商管理程序", kind=Kind.procedure, org="huarui",
        ref="HR-QP-07 §4.6", text="评为C级的供应商必须在3个月内完成整改，未通过的从名录中删除。",
        score=1.0),
    Hit(doc_id="xk", title="条例", kind=Kind.regulation, org="public", ref="第二十五条",
        text="生产许可证有效期为5年。企业应当在有效期届满6个月前提出换证申请。", score=0.9),
]  # fmt: skip


def test_check_keeps_supported_and_drops_invented() -> None:
    checked = check_answer(
        "C级供应商必须在3个月内完成整改[1]。换证申请要在届满6个月前提出[2]。"
        "根据条例第九十九条，逾期罚款十万元[2]。",
        PASSAGES,
    )
    assert [s for s, _ in checked.sentences] == [
        "C级供应商必须在3个月内完成整改",
        "换证申请要在届满6个月前提出",
    ]
    assert checked.dropped == 1 and checked.acceptable


def test_check_drops_wrong_numbers_and_wrong_citations() -> None:
    wrong_number = check_answer("C级供应商必须在6个月内完成整改[1]。", PASSAGES)
    assert wrong_number.sentences == [] and not wrong_number.acceptable
    wrong_source = check_answer("C级供应商必须在3个月内完成整改[2]。", PASSAGES)
    assert wrong_source.sentences == []
    unmarked = check_answer("生产许可证有效期为5年。", PASSAGES)
    assert unmarked.sentences == [("生产许可证有效期为5年", [1])]
    assert check_answer("资料中没有相关信息。", PASSAGES).declined


needs_local_llm = pytest.mark.skipif(
    importlib.util.find_spec("llama_cpp") is None or not is_ready(gguf_path()),
    reason="local LLM not prepared (make llm)",
)


@pytest.fixture(scope="module")
def llm_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log = tmp_path_factory.mktemp("llm") / "llama.log"
    with running(server_command(gguf_path(), "127.0.0.1", port),
                 f"http://127.0.0.1:{port}/v1/models", log, timeout=180):  # fmt: skip
        yield f"http://127.0.0.1:{port}/v1"


def _answerer(kb: KnowledgeBase, tmp_path: Path, base_url: str) -> Answerer:
    settings = kb.settings.model_copy(update={"llm_base_url": base_url, "llm_timeout_seconds": 120})
    store = ConversationStore(make_engine(f"sqlite:///{tmp_path}/llm.db"))
    return Answerer(kb, store, llm=LLMGenerator(settings))


@needs_local_llm
@pytest.mark.server
def test_local_llm_answer_is_checked_and_cited(
    corpus_kb: KnowledgeBase, tmp_path: Path, llm_url: str
) -> None:
    reply = _answerer(corpus_kb, tmp_path, llm_url).ask("C级供应商多长时间内要整改？")
    assert not reply.refused
    assert reply.generator == "llm", reply.warnings
    assert "3个月" in reply.answer and "[1]" in reply.answer
    assert reply.citations[0].doc_id == "HR-QP-07"
    assert "llm" in reply.timings_ms


@needs_local_llm
@pytest.mark.server
def test_local_llm_streams_checked_sentences(
    corpus_kb: KnowledgeBase, tmp_path: Path, llm_url: str
) -> None:
    events = list(_answerer(corpus_kb, tmp_path, llm_url).ask_stream("谁主持管理评审？"))
    deltas = [e.delta for e in events if e.reply is None]
    reply = events[-1].reply
    assert reply is not None and deltas and "".join(deltas) == reply.answer
    assert reply.generator == "llm", reply.warnings
    assert "总经理" in reply.answer and reply.citations[0].doc_id == "HR-QP-04"


@needs_local_llm
@pytest.mark.server
def test_local_llm_rewrites_a_follow_up(
    corpus_kb: KnowledgeBase, tmp_path: Path, llm_url: str
) -> None:
    answerer = _answerer(corpus_kb, tmp_path, llm_url)
    first = answerer.ask("生产许可证的有效期是几年？")
    second = answerer.ask("那换证呢？", conversation_id=first.conversation_id)
    assert "换证" in second.rewritten_question and "许可证" in second.rewritten_question
    assert not second.refused and "6个月" in second.answer


@needs_local_llm
@pytest.mark.server
def test_out_of_scope_is_refused_before_the_llm(
    corpus_kb: KnowledgeBase, tmp_path: Path, llm_url: str
) -> None:
    reply = _answerer(corpus_kb, tmp_path, llm_url).ask("明天上海下雨吗？")
    assert reply.refused and reply.generator == "extractive"
    assert "llm" not in reply.timings_ms


def test_endpoint_down_falls_back_with_a_warning(corpus_kb: KnowledgeBase, tmp_path: Path) -> None:
    dead = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    reply = _answerer(corpus_kb, tmp_path, dead).ask("C级供应商多长时间内要整改？")
    assert not reply.refused and reply.generator == "extractive"
    assert "3个月" in reply.answer
    assert any(w.startswith("llm unavailable") for w in reply.warnings)
