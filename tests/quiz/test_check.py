"""The validator on hand-made questions: right ones pass, each kind of wrong one is caught."""

from __future__ import annotations

from assistant.quiz import Question, QuestionType, Source, validate
from assistant.quiz.schema import BLANK

SPAN = "返工后的产品必须重新检验，复检合格后由质量部摘除红色标签，留样期限为十二个月。"
PASSAGE = f"返工由生产部实施。{SPAN}其他人员不得私自摘除标签。"
SOURCE = Source(doc_id="HR-QP-05", ref="HR-QP-05 §4.6", text=SPAN, title="不合格品控制程序",
                passage=PASSAGE)  # fmt: skip
LEAD = "根据《不合格品控制程序》HR-QP-05 §4.6，"


def single(options: list[str], answer: str = "A", stem: str | None = None) -> Question:
    stem = stem or LEAD + SPAN.replace("十二个月", BLANK)
    return Question(type=QuestionType.single, stem=stem, options=options, answer=[answer],
                    source=SOURCE)  # fmt: skip


def judge(statement: str, answer: str) -> Question:
    return Question(type=QuestionType.judge, stem=LEAD + statement, answer=[answer], source=SOURCE)


def test_a_correct_single_choice_passes() -> None:
    assert validate(single(["十二个月", "六个月", "十八个月", "三年"])) == []


def test_wrong_key_equivalent_and_duplicate_options_are_caught() -> None:
    assert any("不是原文" in p for p in validate(single(["六个月", "十二个月"], "A")))
    equivalent = validate(single(["十二个月", "一年", "六个月"]))
    assert any("等价" in p for p in equivalent)
    assert any("重复或等价" in p for p in validate(single(["十二个月", "12个月"])))
    two = single(["十二个月", "六个月"]).model_copy(update={"answer": ["A", "B"]})
    assert any("恰有一个" in p for p in validate(two))


def test_a_distractor_the_passage_also_supports_is_caught() -> None:
    span = "首检由质量部负责确认。"
    passage = f"{span}质量部缺席时，首检由生产部负责确认。"
    source = Source(doc_id="d", ref="r", text=span, passage=passage)
    question = Question(
        type=QuestionType.single,
        stem=span.replace("质量部", BLANK),
        options=["质量部", "技术部", "生产部"],
        answer=["A"],
        source=source,
    )
    assert [p for p in validate(question) if "生产部" in p] == ["干扰项「生产部」也符合原文"]
    fixed = question.model_copy(update={"options": ["质量部", "技术部", "采购部"]})
    assert validate(fixed) == []


def test_stem_must_keep_the_source_words_around_the_blank() -> None:
    edited = single(["十二个月", "六个月"], stem=LEAD + "留样期限改为" + BLANK + "。")
    assert any("对不上" in p for p in validate(edited))


def test_lead_may_not_add_numbers_or_give_the_answer_away() -> None:
    hint = single(["十二个月", "六个月"], stem="第3次提醒：" + SPAN.replace("十二个月", BLANK))
    assert any("数字" in p for p in validate(hint))
    leak = single(["十二个月", "六个月"], stem="十二个月：" + SPAN.replace("十二个月", BLANK))
    assert any("泄露" in p for p in validate(leak))


def test_true_and_false_statements() -> None:
    assert validate(judge(SPAN, "正确")) == []
    assert validate(judge(SPAN.replace("十二个月", "六个月"), "错误")) == []
    assert validate(judge(SPAN.replace("质量部", "技术部"), "错误")) == []
    assert validate(judge(SPAN.replace("必须", "无须"), "错误")) == []
    assert any("相同" in p for p in validate(judge(SPAN, "错误")))
    assert any("一致" in p for p in validate(judge(SPAN.replace("十二", "六"), "正确")))
    assert any("等价" in p for p in validate(judge(SPAN.replace("十二个月", "一年"), "错误")))
    vague = validate(judge(SPAN.replace("红色", "黄色"), "错误"))
    assert any("无法核对" in p for p in vague)


def test_multiple_choice_and_fill_in() -> None:
    span = "处置方式有四种：返工、降级使用、让步接收、报废。"
    source = Source(doc_id="d", ref="r", text=span, passage=span)
    stem = span.replace("返工、降级使用、让步接收、报废", BLANK)
    good = Question(type=QuestionType.multiple, stem=stem, options=["返工", "召回", "报废"],
                    answer=["A", "C"], source=source)  # fmt: skip
    assert validate(good) == []
    bad = good.model_copy(update={"answer": ["A", "B"]})
    assert any("召回" in p for p in validate(bad))
    blank = Question(type=QuestionType.blank, stem=SPAN.replace("质量部", BLANK),
                     answer=["质量部"], source=SOURCE)  # fmt: skip
    assert validate(blank) == []
    assert validate(blank.model_copy(update={"answer": ["技术部"]}))


def test_span_must_come_from_the_passage() -> None:
    moved = single(["十二个月", "六个月"]).model_copy(
        update={"source": SOURCE.model_copy(update={"passage": "别的段落。"})}
    )
    assert any("不在资料段落" in p for p in validate(moved))


def test_false_statement_may_swap_one_list_item() -> None:
    span = "出厂检验项目：导体电阻、绝缘厚度、外观和电压试验。"
    passage = span + "型式试验另行安排。"
    source = Source(doc_id="d", ref="r", text=span, passage=passage)

    def statement(text: str) -> Question:
        return Question(type=QuestionType.judge, stem=text, answer=["错误"], source=source)

    assert validate(statement(span.replace("绝缘厚度", "护套颜色"))) == []
    assert any("也出现" in p for p in validate(statement(span.replace("绝缘厚度", "型式试验"))))
    assert any("无法核对" in p for p in validate(statement(span.replace("出厂", "进货"))))
