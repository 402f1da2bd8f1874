from __future__ import annotations

import json

from assistant.answer.refusal import (
    CALIBRATION_FILE,
    Thresholds,
    contradicted_figures,
    unanswered_units,
)

EVIDENCE = "生产许可证有效期为5年。企业应当在有效期届满6个月前提出换证申请。C级供应商3个月内整改。"


def test_contradicted_figures() -> None:
    assert contradicted_figures("有效期10年，到期前一个月申请就行吧？", EVIDENCE) == [
        "10年",
        "1个月",
    ]
    assert contradicted_figures("有效期5年，提前6个月申请对吧", EVIDENCE) == []
    assert contradicted_figures("有效期几年", EVIDENCE) == []


def test_asked_units_must_be_in_the_evidence() -> None:
    assert unanswered_units("1.5平方导体电阻是多少欧", EVIDENCE) == ["多少欧"]
    assert unanswered_units("华瑞有几个内审员", EVIDENCE) == ["几个内审员"]
    assert unanswered_units("华瑞有几个内审员", "公司现有5个内审员。") == []


def test_calibration_file_is_the_one_loaded() -> None:
    data = json.loads(CALIBRATION_FILE.read_text(encoding="utf-8"))
    loaded = Thresholds.load()
    assert loaded.min_similarity == data["min_similarity"]
    assert loaded.min_vocabulary == data["min_vocabulary"]
    assert data["dev"]["false_refusal"] <= 0.10
