"""`certguide quiz make` in-process on the shared corpus index: JSON shape, files, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.knowledge import KnowledgeBase
from assistant.quiz.formats import FORMATS


def run(capsys: pytest.CaptureFixture[str], kb: KnowledgeBase, *argv: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(kb.settings.data_dir), "quiz", "make", "--no-llm", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_output_has_the_documented_shape(
    corpus_kb: KnowledgeBase, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ("--procedure", "HR-QP-05", "--n", "6", "--types", "单选,判断,填空,多选", "--seed",
            "1", "--json")  # fmt: skip
    code, out, err = run(capsys, corpus_kb, *argv)
    assert code == 0, err
    payload = json.loads(out)
    assert set(payload) == {"questions", "dropped"} and payload["dropped"] >= 0
    assert len(payload["questions"]) == 6
    for question in payload["questions"]:
        assert set(question) == {"type", "stem", "options", "answer", "explanation", "source"}
        assert set(question["source"]) == {"doc_id", "ref", "text"}
        assert question["source"]["doc_id"] == "HR-QP-05"
        if question["type"] in ("单选", "多选"):
            assert all(o[:3] in {f"{x}. " for x in "ABCDE"} for o in question["options"])
            assert all(a in "ABCDE" for a in question["answer"])
        elif question["type"] == "判断":
            assert question["answer"] in (["正确"], ["错误"])
        else:
            assert question["answer"][0] in question["source"]["text"]
    assert run(capsys, corpus_kb, *argv)[1] == out  # same seed, same quiz


def test_writes_an_export_file(
    corpus_kb: KnowledgeBase, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "quiz.gift"
    code, _, err = run(capsys, corpus_kb, "--ref", "HR-QP-08 §4", "--n", "5", "--types",
                       "单选,判断", "--format", "gift", "-o", str(target))  # fmt: skip
    assert code == 0 and "kept 5" in err
    questions = FORMATS["gift"].read(target.read_bytes())
    assert len(questions) == 5 and {q.type.value for q in questions} <= {"单选", "判断"}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--doc", "no-such-doc", "--n", "3"), "no passages match"),
        (("--n", "500"), "n must be 1..200"),
        (("--procedure", "HR-QP-05", "--n", "150"), "yields only"),
        (("--n", "3", "--format", "pdf"), "unknown format 'pdf'"),
        (("--n", "3", "--types", "论述"), "unknown question type"),
        (("--ref", "第五条到哪里", "--n", "3"), "unrecognised ref range"),
    ],
)
def test_bad_requests_exit_2_with_a_message(
    corpus_kb: KnowledgeBase, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...],
    message: str,
) -> None:  # fmt: skip
    code, out, err = run(capsys, corpus_kb, *argv)
    assert code == 2 and out == ""
    assert message in err and "error: " in err
