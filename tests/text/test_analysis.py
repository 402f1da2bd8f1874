from __future__ import annotations

import pytest

from assistant.text.analysis import (
    Shape,
    answers_shape,
    content_terms,
    question_shape,
    scheme_names,
    split_sentences,
    support,
)


@pytest.mark.parametrize(
    ("question", "shape"),
    [
        ("内审多久做一次", Shape.frequency),
        ("生产许可证到期前多久申请换证", Shape.duration),
        ("无证生产罚多少钱", Shape.money),
        ("XK证和9001有什么区别", Shape.difference),
        ("申请生产许可证的流程是什么", Shape.steps),
        ("谁主持管理评审", Shape.responsible),
        ("冒用许可证标志会怎样", Shape.consequence),
        ("标准发布后留多长过渡期", Shape.duration),
        ("资料要提前几天交过去", Shape.duration),
        ("试运行搞几个月比较好", Shape.duration),  # 比较 = "fairly" here
        ("XK证是哪一年下放到省局的", Shape.duration),
        ("几个工作日内出结果", Shape.duration),
        ("前几天审核员说要整改，怎么弄", Shape.other),  # 前几天 = "the other day"
        ("两个方案比较一下", Shape.difference),
        # the clause that asks decides; the one before it sets the scene
        ("上半年有几份点检表没签字，审核前能不能补签？", Shape.yes_no),
        ("借几本记录回来对一下，要走啥手续？", Shape.other),
        ("供应商分几级", Shape.quantity),
        ("ISO 9001是强制的吗", Shape.yes_no),
        ("质量方针", Shape.other),
    ],
)
def test_question_shapes(question: str, shape: Shape) -> None:
    assert question_shape(question) is shape


def test_shape_evidence() -> None:
    assert answers_shape("应当在有效期届满6个月前提出申请", Shape.duration)
    assert not answers_shape("HR-QR-08 年度内部审核计划", Shape.duration)
    assert answers_shape("至少每12个月进行一次内部审核", Shape.frequency)
    assert answers_shape("标准的复审周期一般不超过五年", Shape.frequency)  # a cycle is how often
    assert not answers_shape("复审周期由主管部门确定", Shape.frequency)
    assert answers_shape("由总经理主持", Shape.responsible)
    assert answers_shape("处2万元以上10万元以下的罚款", Shape.money)
    assert answers_shape("处违法所得一倍以上三倍以下的罚款", Shape.money)
    assert not answers_shape("没收违法所得，并处罚款", Shape.money)  # no amount
    assert answers_shape("任何内容", Shape.other)


def test_content_terms_drop_question_words() -> None:
    terms = content_terms("内审多久一次")
    assert "内审" in terms and not any("久" in t for t in terms)
    assert "主持" in content_terms("管评谁主持") and not any(
        "谁" in t for t in content_terms("管评谁主持")
    )


def test_sentences_and_support() -> None:
    assert split_sentences("第一句。第二句；\n- 第三项内容") == [
        "第一句。",
        "第二句；",
        "第三项内容",
    ]
    passage = "企业应当在生产许可证有效期届满6个月前提出换证申请。"
    assert support("换证申请要在有效期届满6个月前提出", passage).supported
    wrong_number = support("换证申请要在有效期届满3个月前提出", passage)
    assert not wrong_number.numbers_ok and not wrong_number.supported
    assert not support("内部审核每年一次", passage).supported


def test_scheme_names() -> None:
    assert scheme_names("电线电缆要做节能产品认证吗") == ["节能产品认证"]
    assert scheme_names("去山里施工还要不要办林区许可证？") == ["林区许可证"]
    assert scheme_names("换证要提前多久？") == []  # no scheme word
    assert scheme_names("按9001动体系之前要想清哪些事") == []  # a one-character verb names nothing
