"""The checks' findings, and the verdicts the checks alone give (the trainer's view)."""

from __future__ import annotations

import pytest

from assistant.answer.answerability.checks import (
    contradicted_figures,
    figure_claims,
    unanswered_units,
    unknown_companies,
)
from assistant.answer.answerability.policy import RefusalPolicy, Verdict
from assistant.answer.compose import Draft
from assistant.retrieval.lexical import BM25Index
from assistant.schema import Hit
from assistant.text.analysis import question_shape, split_sentences

EVIDENCE = "生产许可证有效期为5年。企业应当在有效期届满6个月前提出换证申请。C级供应商3个月内整改。"
SENTENCES = split_sentences(EVIDENCE)


def test_contradicted_figures() -> None:
    assert contradicted_figures("有效期10年，到期前一个月申请就行吧？", SENTENCES) == [
        "10年",
        "1个月",
    ]
    assert contradicted_figures("有效期5年，提前6个月申请对吧", SENTENCES) == []
    assert contradicted_figures("有效期几年", SENTENCES) == []
    # 20天 and 二十日 are the same figure; 「多久评一次」 claims no figure
    law = ["应当自受理之日起二十日内作出决定。"]
    assert contradicted_figures("算不算在20天的期限里", law) == []
    # a generic clause finds its rule through the rest of the question
    rules = ["办理的时间不得超过四十五日。", "行政机关应当自受理申请之日起二十日内作出许可决定。"]
    question = "受理以后作出许可决定要检验的，这段时间算不算在20天的办理期限里"
    assert contradicted_figures(question, rules) == []
    assert contradicted_figures("这段时间算不算在30天的办理期限里", rules) == ["30日"]
    assert figure_claims("供应商多久评一次？分几级") == []
    # 「一年的」 is "annual" and 「哪一级」 asks: neither claims a figure
    assert figure_claims("公司一年的客诉目标是控制在几次以内") == []
    assert figure_claims("行政处罚是哪一级部门决定的") == []
    assert figure_claims("有效期一年，到期再换吧") == ["有效期一年"]
    # 一 before a batch or a person is "a", "alone"; a digit is a claim
    assert figure_claims("进了一批没XK证的电线，让他一个人开挤出机？") == []
    assert figure_claims("试供1批合格就能进名录吧") == ["试供1批合格就能进名录吧"]


def test_a_figure_must_be_stated_where_the_sources_discuss_that_matter() -> None:
    # 3个月 is in the evidence, but for supplier corrective action, not for renewal
    assert contradicted_figures("换证提前3个月申请就行吧", SENTENCES) == ["3个月"]
    assert contradicted_figures("C级供应商3个月内整改对吧", SENTENCES) == []


def test_asked_units_must_be_in_the_evidence() -> None:
    assert unanswered_units("1.5平方导体电阻是多少欧", EVIDENCE) == ["多少欧"]
    assert unanswered_units("华瑞有几个内审员", EVIDENCE) == ["几个内审员"]
    assert unanswered_units("华瑞有几个内审员", "公司现有5个内审员。") == []
    assert unanswered_units("质量部现在有多少人", EVIDENCE) == ["多少人"]
    # 「哪几样」 asks for a list, 「补写几份」 means "a few"
    assert unanswered_units("国家统一了哪几样东西", EVIDENCE) == []
    assert unanswered_units("记录少，能不能补写几份", EVIDENCE) == []
    # a scene-setting clause before the asking one: 几本 means "a few"
    assert unanswered_units("想借几本记录回来对一下，要走啥手续？", EVIDENCE) == []
    assert unanswered_units("华瑞有几本质量手册？", EVIDENCE) == ["几本质量"]
    # a measure word between the number and the noun; people counted by 名
    assert unanswered_units("培养了几个专职检验员", "培养两名专职检验员。") == []
    assert unanswered_units("派几个人来检", "应当指派两名以上工作人员进行检验。") == []
    assert unanswered_units("派几个人来检", EVIDENCE) == ["几个人来检"]
    # a verb after the question word: a threshold is asked, nothing is counted
    assert unanswered_units("风险打到多少算高风险？", "风险分值≥12为高风险。") == []
    # a value stated for the noun answers 「多少指标」
    assert unanswered_units("一次交检合格率定多少指标？", "一次交检合格率指标为98%。") == []
    assert unanswered_units("一次交检合格率定多少指标？", "合格率要设指标。") == ["多少指标"]


def test_one_mistyped_character_is_forgiven() -> None:
    index = BM25Index.build(["a"], ["导体电阻和绝缘厚度按标准测量，测量设备须经校准。"], [{}])
    assert index.misspelt_terms("导休电阻怎么测") >= {"导休", "休电"}
    assert index.misspelt_terms("驾驶证快到期了") == set()


def test_a_named_article_must_still_hold_the_count_asked_for() -> None:
    article = "第五十五条 行政机关应当指派两名以上工作人员，按照技术标准进行检验、检测。"
    hits = [Hit(doc_id="law", title="行政许可法", kind="regulation", org="public",
                ref="第五十五条", text=article, score=1.0, similarity=0.92)]  # fmt: skip
    index = BM25Index.build(["law"], [article], [{}])
    policy = RefusalPolicy(None)  # hard checks only

    def verdict(question: str) -> Verdict:
        shape = question_shape(question)
        return policy.judge(question, question, hits, Draft(), shape, index, ref_named=True)

    assert not verdict("第五十五条派几个人来检？").refuse
    refused = verdict("按第五十五条来检的时候，一般抽几个样品？")
    assert refused.refuse and "几个样品" in refused.message


def test_a_scheme_named_in_chinese_must_be_in_the_sources() -> None:
    text = "强制性产品认证由国家统一目录、统一标准和统一标志。工业产品生产许可证实行目录管理。"
    hits = [Hit(doc_id="reg", title="认证认可条例", kind="regulation", org="public",
                ref="第二十八条", text=text, score=1.0, similarity=0.9)]  # fmt: skip
    index = BM25Index.build(["reg"], [text], [{}])

    def verdict(question: str) -> Verdict:
        shape = question_shape(question)
        return RefusalPolicy(None).judge(question, question, hits, Draft(), shape, index)

    refused = verdict("电线电缆要做节能产品认证吗？")
    assert refused.reason == "unknown_scheme" and "节能产品认证" in refused.message
    assert verdict("去山里施工还要不要办林区许可证？").reason == "unknown_scheme"
    assert not verdict("强制性产品认证统一了哪些东西？").refuse


@pytest.mark.parametrize(
    ("question", "names"),
    [
        ("宏达电缆的内审多久做一次？", ["宏达电缆"]),  # a trade name the sources never use
        ("永泰电器有限公司拿证了吗", ["永泰电器有限公司"]),
        ("咱们的电缆要办生产许可证吗？", []),  # 们的 is no trade name
        ("咱们电缆的绝缘电阻怎么测？", []),  # the asker's own company
        ("华瑞线缆的内审多久做一次？", []),  # a company the sources know
        ("低压电缆要办生产许可证吗？", []),  # a kind of cable, in the sources' words
    ],
)
def test_a_company_the_sources_never_name(question: str, names: list[str]) -> None:
    text = "华瑞线缆每年做一次内审。低压电缆属于目录产品，要办生产许可证。绝缘电阻按标准测。"
    index = BM25Index.build(["hr"], [text], [{}])
    assert sorted(unknown_companies(question, index.vocabulary)) == sorted(names)
