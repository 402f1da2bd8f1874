"""The support scorer on our labelled sentence–passage pairs (≥ 100, dev/test)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from assistant.embedding.encoder import Encoder
from assistant.settings import get_settings
from assistant.text.analysis import support
from evals import faithfulness
from evals.support_scorer import (
    accuracy,
    best_threshold,
    evaluate,
    judged_accuracy,
    llm_judge,
    load,
    to_markdown,
)


def test_labelled_set_is_balanced_and_large_enough() -> None:
    items = load()
    assert len(items) >= 100
    labels = [i["label"] for i in items]
    assert abs(labels.count("supported") - labels.count("unsupported")) <= 10


def test_accuracy_on_the_held_out_split() -> None:
    items = load()
    test = [i for i in items if i["split"] == "test"]
    dev = [i for i in items if i["split"] == "dev"]
    assert accuracy(test) >= 0.80  # measured 0.875 when written
    assert 0.3 <= best_threshold(dev) <= 0.8


def test_semantic_component_fitted_on_dev(encoder: Encoder) -> None:
    settings = get_settings().model_copy(update={"llm_base_url": ""})
    report = evaluate(encoder, settings)
    scores = report["accuracy"]
    # fitted on dev, so at least as good as the rules there; measured 0.889 on test
    assert scores["rules+e5"]["dev"] >= scores["rules"]["dev"]
    assert scores["rules+e5"]["test"] >= 0.85
    assert 0 < report["e5_weight"] < 1
    assert "llm" not in scores and "LLM judge skipped" in to_markdown(report)


def test_no_llm_judge_without_an_endpoint() -> None:
    assert llm_judge(get_settings().model_copy(update={"llm_base_url": ""})) is None


def test_fact_checks() -> None:
    passage = "管理评审由总经理主持。生产许可证有效期为5年（第二十五条）。企业不得转让许可证。"
    assert support("管理评审由总经理主持", passage).supported
    assert not support("管理评审由质量部经理主持", passage).supported
    assert not support("生产许可证有效期为3年", passage).supported
    assert not support("企业可以转让许可证，第二十六条有规定", passage).supported
    assert not support("企业不得出租许可证，也禁止出借", passage).supported
    assert support("生产许可证的有效期是五年", passage).numbers_ok


def test_the_evaluations_own_judge_is_validated_and_shares_no_code() -> None:
    """Faithfulness is scored by ``evals.faithfulness``, not by the answerer's check."""
    items = load()
    test = [i for i in items if i["split"] == "test"]
    ours = judged_accuracy(test, lambda i: faithfulness.supported(i["sentence"], i["passage"]))
    assert ours >= 0.75  # measured 0.806 when written (the answerer's rules: 0.875)
    source = Path(faithfulness.__file__).read_text(encoding="utf-8")
    imported = {
        node.module or ""
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom)
    }
    assert not any(m.startswith("assistant.answer") for m in imported), imported


@pytest.mark.parametrize(
    ("sentence", "supported"),
    [
        ("生产许可证有效期为5年", True),  # 五年 in the passage
        ("生产许可证有效期为3年", False),  # a changed figure
        ("见第二十六条", False),  # an article the passage is not
        ("企业可以转让许可证", False),  # the passage's 不得 dropped
        ("管理评审由总经理主持", True),
        ("供应商每年评价一次", False),  # another matter
    ],
)
def test_the_evaluations_own_judge(sentence: str, supported: bool) -> None:
    passage = "第二十五条 管理评审由总经理主持。生产许可证有效期为五年。企业不得转让许可证。"
    assert faithfulness.supported(sentence, passage) is supported
