"""The answer eval measures what it claims: it passes the real answerer on grounding and
fails deliberately broken ones."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.answer.pipeline import Answerer, render
from assistant.answer.schema import Reply
from assistant.conversations import ConversationStore
from assistant.db import make_engine
from assistant.knowledge import KnowledgeBase
from evals.answers import build_report, metrics, normalise_numbers, run, to_markdown, write
from evals.gate import gate_failures

SUBSET = 14  # first questions of each dev set: keeps `make test` fast


@pytest.fixture(scope="module")
def answerer(corpus_kb: KnowledgeBase) -> Answerer:
    return Answerer(corpus_kb, ConversationStore(make_engine("sqlite://")))


@pytest.fixture(scope="module")
def healthy(answerer: Answerer) -> dict[str, float]:
    return metrics(run(answerer.ask, None, SUBSET))


def test_number_normalisation() -> None:
    assert normalise_numbers("五日内 作出决定") == "5日内作出决定"
    assert normalise_numbers("十五个工作日") == "15个工作日"


def test_real_answerer_is_grounded(healthy: dict[str, float]) -> None:
    assert healthy["citation_precision"] >= 0.90
    assert healthy["faithfulness"] >= 0.95
    assert healthy["key_fact_recall"] >= 0.5 and healthy["key_facts_cited"] >= 0.5
    assert healthy["answerable"] == SUBSET and healthy["must_refuse"] == SUBSET


def test_wrong_citations_are_caught(answerer: Answerer, healthy: dict[str, float]) -> None:
    def cites_the_wrong_passage(question: str) -> Reply:
        reply = answerer.ask(question)
        far = answerer.kb.search("供应商年度评价", k=1)[0].text
        for citation in reply.citations:
            citation.text = far if citation.text != far else "计量器具每年检定一次。"
        return reply

    broken = metrics(run(cites_the_wrong_passage, None, SUBSET))
    assert broken["citation_precision"] < 0.90 < healthy["citation_precision"]
    # the facts are still stated, but not cited to a passage that holds them
    assert broken["key_fact_recall"] == healthy["key_fact_recall"]
    assert broken["key_facts_cited"] < 0.2 < healthy["key_facts_cited"]
    assert any(f.startswith("key_facts_cited") for f in gate_failures(broken))


def test_changed_numbers_are_caught(answerer: Answerer, healthy: dict[str, float]) -> None:
    def changes_numbers(question: str) -> Reply:
        reply = answerer.ask(question)
        reply.answer = re.sub(r"(?<!\[)\d+(?!\])", lambda m: str(int(m.group(0)) + 7), reply.answer)
        return reply

    broken = metrics(run(changes_numbers, None, SUBSET))
    assert broken["citation_precision"] < healthy["citation_precision"]
    assert broken["key_fact_recall"] < healthy["key_fact_recall"]
    assert broken["key_facts_cited"] < healthy["key_facts_cited"]
    assert any(f.startswith("key_facts_cited") for f in gate_failures(broken))


def test_never_refusing_is_caught(answerer: Answerer, healthy: dict[str, float]) -> None:
    def never_refuses(question: str) -> Reply:
        assessment = answerer.assess(question)
        sentences = [(p.text, [p.hit_index]) for p in assessment.draft.sentences]
        answer, citations = render(sentences, assessment.hits)
        return Reply(
            answer=answer,
            citations=citations,
            refused=False,
            conversation_id="x",
            rewritten_question=question,
        )

    broken = metrics(run(never_refuses, None, SUBSET))
    assert broken["negative_rejection"] == 0.0 < healthy["negative_rejection"]
    assert any(f.startswith("negative_rejection") for f in gate_failures(broken))


def test_refusing_everything_is_caught(answerer: Answerer, healthy: dict[str, float]) -> None:
    def refuses(question: str) -> Reply:
        return Reply(answer="资料中没有相关内容。", citations=[], refused=True,
                     conversation_id="x", rewritten_question=question)  # fmt: skip

    broken = metrics(run(refuses, None, SUBSET))
    assert broken["false_refusal"] == 1.0 > healthy["false_refusal"]
    failed = {f.split()[0] for f in gate_failures(broken)}
    assert {"false_refusal", "key_facts_cited"} <= failed


def test_report_files(answerer: Answerer, tmp_path: Path) -> None:
    results = run(answerer.ask, "dev", 3)
    report = build_report(results, "test run")
    out_dir = write(report, results, tmp_path)
    assert (out_dir / "answers.json").is_file() and (out_dir / "answers.md").is_file()
    assert (out_dir / "metrics.png").stat().st_size > 1000
    assert (out_dir / "latency.png").stat().st_size > 1000
    assert "## Worst 10" in to_markdown(report)
