"""The support scorer on our labelled sentence–passage pairs (≥ 100, dev/test)."""

from __future__ import annotations

from assistant.answer.text import support
from evals.support_scorer import accuracy, best_threshold, load


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


def test_fact_checks() -> None:
    passage = "管理评审由总经理主持。生产许可证有效期为5年（第二十五条）。企业不得转让许可证。"
    assert support("管理评审由总经理主持", passage).supported
    assert not support("管理评审由质量部经理主持", passage).supported
    assert not support("生产许可证有效期为3年", passage).supported
    assert not support("企业可以转让许可证，第二十六条有规定", passage).supported
    assert not support("企业不得出租许可证，也禁止出借", passage).supported
    assert support("生产许可证的有效期是五年", passage).numbers_ok
