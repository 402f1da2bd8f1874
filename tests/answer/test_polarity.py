"""Which way a sentence settles a yes/no question (lexicon ``modals``)."""

from __future__ import annotations

import pytest

from assistant.answer.polarity import leading_verdict


@pytest.mark.parametrize(
    ("question", "sentence", "verdict"),
    [
        # a prohibition answers 可以…吗 with 不可以
        ("仓库可以先发货后补检验吗？", "未经检验合格的产品不得出厂。", "不可以"),
        ("能不能把证借给兄弟厂用？", "企业不得出租、出借生产许可证。", "不可以"),
        # a permission or a duty answers it the other way
        ("评审和验证可以合并做吗？", "评审、验证和确认可以分开进行，也可以合并进行。", "可以"),
        ("换了厂址需要重新申请吗？", "生产地址变更的，企业应当重新申请生产许可证。", "需要"),
        ("需要报备吗？", "主管部门根据需要组织抽查。", None),  # 根据需要 = "as needed"
        ("小批量也要不要做出厂检验？", "每批产品出厂前无须重复型式试验。", "不需要"),
        ("外包过程算不算体系的一部分？", "外包过程属于质量管理体系的范围。", "属于"),
        # 不应当 is a no, not an 应当
        ("记录需要保存原件吗？", "复印件不应当替代原件。", "不需要"),
        # a sentence saying both settles nothing; nor does one saying neither
        ("可以合并审核吗？", "可以合并进行，但不得省略任何条款。", None),
        ("需要年检吗？", "企业每年提交自查报告。", None),
        # no modal asked: not a question this settles
        ("有效期是5年吗？", "生产许可证有效期为5年。", None),
    ],
)
def test_leading_verdict(question: str, sentence: str, verdict: str | None) -> None:
    assert leading_verdict(question, sentence) == verdict
