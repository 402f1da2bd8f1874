"""Answer-first composition: a document's preface does not lead, a fact is said once, steps
come as the source's list. Mechanisms as tables, then on real retrieval."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.answer.compose import (
    ExtractiveGenerator,
    figures,
    is_preface,
    states_same_fact,
)
from assistant.answer.pipeline import Answerer
from assistant.answer.text import Shape
from assistant.conversations import ConversationStore, make_engine
from assistant.knowledge import KnowledgeBase
from assistant.schema import Hit, Kind

MARKER_RE = re.compile(r"\[\d+\]")


def _hit(ref: str, section: str, title: str = "某某指南") -> Hit:
    return Hit(doc_id="d", title=title, kind=Kind.guide, org="public", ref=ref, text="x",
               score=1.0, section=section)  # fmt: skip


@pytest.mark.parametrize(
    ("hit", "preface"),
    [
        (_hit("某某指南", "某某指南"), True),  # the opening, before any heading
        (_hit("总述", "总述"), True),
        (_hit("HR-QP-05 §1", "1 目的", "不合格品控制程序"), True),
        (_hit("HR-QP-05 §2", "2 适用范围", "不合格品控制程序"), True),
        (_hit("HR-QP-05 §4.2", "4 工作程序 > 4.2 评审", "不合格品控制程序"), False),
        (_hit("第二十五条", "第三章 > 第二十五条", "条例"), False),
    ],
)
def test_preface_is_recognised_by_where_it_stands(hit: Hit, preface: bool) -> None:
    assert is_preface(hit) is preface


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        # one figure, said by the article, its summary and a guide
        ("生产许可证有效期为5年", "许可证的有效期是5年，期满前要换证", True),
        ("生产许可证有效期为5年", "企业应在有效期届满6个月前提出换证申请", False),
        # the same figure in a different matter is a different fact
        ("C级供应商须在3个月内整改", "新员工试用期为3个月", False),
        ("评审应在五日内完成", "评审应在五日内完成并记录", True),
    ],
)
def test_same_fact(a: str, b: str, same: bool) -> None:
    assert states_same_fact(a, b) is same


def test_figures_keep_their_unit() -> None:
    assert figures("有效期5年，届满6个月前申请，罚款三倍") >= {"5年", "6个", "三倍"}


def test_the_text_itself_replaces_a_guide_retelling_it() -> None:
    guide = Hit(doc_id="g", title="换证指南", kind=Kind.guide, org="public", ref="换证",
                text="许可证到期前6个月以前要申请换证。", score=1.0, section="换证")  # fmt: skip
    article = Hit(doc_id="r", title="条例", kind=Kind.regulation, org="public", ref="第二十五条",
                  text="许可证到期继续生产的，应当在到期6个月前提出换证申请。", score=0.9,
                  section="第二十五条")  # fmt: skip
    draft = ExtractiveGenerator().compose(
        "许可证到期前多久申请换证", [guide, article], Shape.duration
    )
    assert [p.hit_index for p in draft.sentences] == [1], draft.sentences


@pytest.fixture()
def answerer(corpus_kb: KnowledgeBase, tmp_path: Path) -> Answerer:
    return Answerer(corpus_kb, ConversationStore(make_engine(f"sqlite:///{tmp_path}/c.db")))


def _sentences(answer: str) -> list[str]:
    return [MARKER_RE.sub("", s) for s in re.split(r"(?<=。)", answer) if s.strip()]


@pytest.mark.parametrize("question", ["许可证能用几年", "拿到的生产许可证管多长时间"])
def test_a_fact_is_stated_once(answerer: Answerer, question: str) -> None:
    reply = answerer.ask(question)
    assert not reply.refused and "5年" in reply.answer
    assert sum("5年" in s for s in _sentences(reply.answer)) == 1, reply.answer


@pytest.mark.parametrize(
    "question", ["办生产许可证违规会被罚多少钱", "企业名称变了许可证要怎么处理"]
)
def test_the_first_sentence_is_not_a_preface(answerer: Answerer, question: str) -> None:
    reply = answerer.ask(question)
    assert not reply.refused
    first = _sentences(reply.answer)[0]
    assert not any(word in first for word in ("本指南", "文中", "本文", "本章要点")), first


def test_steps_come_as_the_sources_list(answerer: Answerer) -> None:
    reply = answerer.ask("申请生产许可证要走哪些步骤")
    assert not reply.refused
    assert len(_sentences(reply.answer)) >= 3, reply.answer
