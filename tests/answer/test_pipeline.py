"""Answers over the real corpus index: cited, refused when unsupported, follow-ups."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.answer.pipeline import Answerer
from assistant.conversations import ConversationNotFound, ConversationStore
from assistant.db import make_engine
from assistant.knowledge import KnowledgeBase
from tests.conftest import requires_regulations

MARKER_RE = re.compile(r"\[(\d+)\]")


@pytest.fixture()
def answerer(corpus_kb: KnowledgeBase, tmp_path: Path) -> Answerer:
    return Answerer(corpus_kb, ConversationStore(make_engine(f"sqlite:///{tmp_path}/c.db")))


def _assert_grounded(reply_answer: str, citations: list, must_contain: str) -> None:  # type: ignore[type-arg]
    markers = {int(n) for n in MARKER_RE.findall(reply_answer)}
    assert markers and markers == {c.n for c in citations}
    assert must_contain in reply_answer
    for sentence in re.split(r"(?<=。)", reply_answer):
        found = MARKER_RE.findall(sentence)
        if not sentence.strip():
            continue
        assert found, f"uncited sentence: {sentence}"
        text = MARKER_RE.sub("", sentence).rstrip("。")
        cited = " ".join(c.text for c in citations if str(c.n) in found)
        assert text in cited  # extractive: every sentence is the source's own words


@pytest.mark.parametrize(
    ("question", "doc_id", "fact"),
    [
        ("华瑞的内审多久做一次？", "HR-QP-03", "12个月"),
        ("C级供应商多长时间内要整改？", "HR-QP-07", "3个月"),
        ("客户投诉多长时间内要给答复？", "HR-QP-09", "24小时"),
        ("不合格品有哪几种处置方式？", "HR-QP-05", "让步接收"),
        ("谁主持管理评审？", "HR-QP-04", "总经理"),
    ],
)
def test_answers_cite_the_procedure(
    answerer: Answerer, question: str, doc_id: str, fact: str
) -> None:
    reply = answerer.ask(question)
    assert not reply.refused, reply.answer
    _assert_grounded(reply.answer, reply.citations, fact)
    assert any(c.doc_id == doc_id for c in reply.citations)
    assert set(reply.timings_ms) >= {"retrieve", "generate", "total"}


@requires_regulations
def test_renewal_deadline_cites_article_25(answerer: Answerer) -> None:
    reply = answerer.ask("生产许可证到期了还想继续生产，最晚什么时候要申请换证？")
    assert not reply.refused
    assert "6个月" in reply.answer
    assert any(c.ref == "第二十五条" for c in reply.citations)


@pytest.mark.parametrize(
    "question",
    [
        "今天北京天气怎么样？",
        "ISO 14001的环境因素识别怎么做？",
        "IATF 16949 的 APQP 有几个阶段？",
        "生产许可证有效期10年，到期前一个月申请换证就行吧？",
        "帮我推荐几家好吃的火锅店",
    ],
)
def test_out_of_scope_is_refused_with_closest_sources(answerer: Answerer, question: str) -> None:
    reply = answerer.ask(question)
    assert reply.refused, reply.answer
    assert "不做推测" in reply.answer or "无法" in reply.answer
    assert reply.warnings and reply.warnings[0].startswith("refused:")


def test_follow_up_uses_the_conversation(answerer: Answerer, tmp_path: Path) -> None:
    first = answerer.ask("生产许可证的有效期是几年？")
    assert "5年" in first.answer
    second = answerer.ask("那换证呢？", conversation_id=first.conversation_id)
    assert "生产许可证" in second.rewritten_question and "换证" in second.rewritten_question
    assert not second.refused and "6个月" in second.answer
    assert second.turn == 1

    # persisted: a new store on the same database sees both turns
    reopened = ConversationStore(make_engine(f"sqlite:///{tmp_path}/c.db"))
    conversation = reopened.get(first.conversation_id)
    assert [t.question for t in conversation.turns] == ["生产许可证的有效期是几年？", "那换证呢？"]
    assert conversation.turns[1].citations[0].doc_id


def test_unknown_conversation_and_empty_question(answerer: Answerer) -> None:
    with pytest.raises(ConversationNotFound):
        answerer.ask("内审多久一次", conversation_id="missing")
    with pytest.raises(ValueError, match="empty"):
        answerer.ask("  ")


def test_org_scope_keeps_other_orgs_out(answerer: Answerer) -> None:
    reply = answerer.ask("C级供应商多长时间内要整改？", org="someclient")
    assert all(c.org in ("public", "someclient") for c in reply.citations)
