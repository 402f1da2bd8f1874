"""The fact next to the question word, and the premises a question states."""

from __future__ import annotations

from assistant.answer.answerability.premise import premise_clauses, unfocused_fact
from assistant.text.analysis import Shape

EVIDENCE = [
    "核查人员封存样品，企业应在7日内把样品送到检验机构。",
    "检验机构应当在30日内出具检验报告。",
]


def test_unfocused_fact() -> None:
    assert unfocused_fact("样品送检后几天能出报告？", EVIDENCE[:1], Shape.duration)
    assert not unfocused_fact("样品送检后几天能出报告？", EVIDENCE, Shape.duration)
    # a light verb after the question word asks about nothing in particular: what it asks
    # about is named before the question word
    audit = "第一次监督审核应在认证决定日期起12个月内进行。"
    assert not unfocused_fact("第一次监审最晚什么时候要做？", [audit], Shape.duration)
    assert unfocused_fact("第一次监审最晚什么时候要做？", EVIDENCE[:1], Shape.duration)


def test_a_month_answers_the_matter_before_it() -> None:
    sentences = ["各部门每年12月提出下一年度培训需求，经总经理批准后实施。"]
    assert not unfocused_fact("明年的培训需求几月份报上去？", sentences, Shape.duration)
    assert unfocused_fact("供应商名录几月份更新？", sentences, Shape.duration)


def test_a_question_word_that_ends_the_clause_asks_about_what_precedes_it() -> None:
    sentences = ["未按规定办理变更的，主管部门会责令限期办理。", *EVIDENCE]
    # the sources set a 限期 but never say how long it is
    assert unfocused_fact("被责令限期改正的话，限期通常是多少天？", sentences, Shape.duration)
    assert not unfocused_fact("出检验报告要多少天？", sentences, Shape.duration)
    assert not unfocused_fact("样品封存后几天内送到检验机构？", sentences, Shape.duration)
    assert unfocused_fact("文件评审那一步大约花几周？", sentences, Shape.duration)


def test_a_few_is_not_asked() -> None:
    # 「好几个客户电话」 sets the scene; the clause that asks is about the complaint target
    evidence = ["有效顾客投诉控制在每年10次以内。"]
    question = "接了好几个客户电话，公司一年的客诉目标是几次以内？"
    assert not unfocused_fact(question, evidence, Shape.quantity)
    # 「多查几回」 is "a few more times": the clause asks which lines, not how often
    assert not unfocused_fact("哪条产线要多查几回，频率看什么定？", evidence, Shape.frequency)
    assert unfocused_fact("管评几次？", evidence, Shape.frequency)


def test_adverbs_and_conditions_name_nothing() -> None:
    banned = ["被吊销证书的企业，3年内不受理其申请。"]
    assert not unfocused_fact("证书被吊销后，隔几年才能再申请？", banned, Shape.duration)
    assert unfocused_fact("证书被吊销后，隔几年才能再投标？", banned, Shape.duration)
    fine = ["企业冒用证书的，处5万元以上20万元以下的罚款。"]
    assert not unfocused_fact("冒用别人的证书，一般会罚多少钱？", fine, Shape.money)
    assert unfocused_fact("冒用别人的证书，一般会赔偿多少钱？", fine, Shape.money)


def test_premises() -> None:
    assert premise_clauses("GB/T 19001是强制标准吧，没证怎么处理？") == ["GB/T 19001是强制标准"]
    assert premise_clauses("ISO 9001是强制的吗？") == []
    assert premise_clauses("样品送到了，几天出报告？") == ["样品送到了"]
