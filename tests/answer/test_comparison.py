"""What a comparison question sets side by side."""

from __future__ import annotations

import pytest

from assistant.answer.comparison import compared_sides


@pytest.mark.parametrize(
    ("question", "sides"),
    [
        ("甲证和乙证有什么区别？", ("甲证", "乙证")),
        ("请问纠正与纠正措施之间到底有什么差异？", ("纠正", "纠正措施")),
        ("首件检验跟巡检比起来有啥不一样", ("首件检验", "巡检")),
        ("合同评审，设计评审以及管理评审的不同在哪", ("设计评审", "管理评审")),  # the asking clause
        ("新版比旧版有什么不同", ("新版", "旧版")),
        # the things compared come before the clause that asks; what follows them is the aspect
        ("甲方案和乙方案，各自的重点有啥不同？", ("甲方案", "乙方案")),
        ("首检和末检的记录要求有什么区别", ("首检", "末检")),
        # one thing named: nothing to set side by side
        ("这两个条款有什么区别", None),
        ("有效期有什么不同", None),
        ("生产许可证有效期是几年", None),
    ],
)
def test_compared_sides(question: str, sides: tuple[str, str] | None) -> None:
    assert compared_sides(question) == sides
