"""What a trainer would keep, checked on about 300 generated questions across the corpus (and
the official texts when ../shared has them): 判断 balanced, stems whole propositions, no
sentence asked twice in one quiz."""

from __future__ import annotations

import random
import re

import pytest

from assistant.knowledge import KnowledgeBase
from assistant.quiz import Build, Difficulty, QuestionType, Selection, make_quiz, validate
from assistant.quiz.distractors import numbers, typical_values
from assistant.quiz.facts import claimed_count, extract, item_tokens
from assistant.quiz.schema import BLANK, TRUE
from assistant.quiz.tokens import abbreviates, parse_number
from assistant.schema import Chunk, Kind
from tests.conftest import REGULATIONS_DIR

SENTENCE_BOUNDARY = re.compile(
    r"(?:^|[。！？；：\n]|第[一二三四五六七八九十百\d]+条|[）)】])\s*"  # a sentence or article ends
    r"(?:[-*•]|\d+[.、]|[（(][一二三四五六七八九十\d]+[）)])?\s*$"  # a list line's marker
)
# checked here, not with the generator's word list: what a stem must never open or end with
OPENERS = ("例如", "比如", "以及", "、", "如：")
ENDINGS = ("：", "；", "，", ":", ";")


def _selections() -> list[tuple[Selection, int, int]]:
    """(selection, questions, seed): 300 questions over every kind of source."""
    chosen = [
        (Selection(), 60, 1),
        (Selection(), 40, 2),
        (Selection(kinds=["procedure"]), 40, 3),
        (Selection(kinds=["standard"]), 40, 4),
        (Selection(kinds=["guide"]), 40, 5),
        (Selection(doc_ids=["xk-regulation-summary"]), 40, 6),
    ]
    official = "xk-licence-regulation-2023"
    if (REGULATIONS_DIR / f"{official}.md").is_file():
        chosen.append((Selection(doc_ids=[official]), 40, 7))
    else:
        chosen.append((Selection(kinds=["procedure", "guide"]), 40, 7))
    return chosen


@pytest.fixture(scope="module")
def quizzes(corpus_kb: KnowledgeBase) -> list[Build]:
    return [
        make_quiz(corpus_kb, selection, n, list(QuestionType), seed=seed)
        for selection, n, seed in _selections()
    ]


def _fragment(span: str, passage: str) -> str | None:
    if span.startswith(OPENERS):
        return "opens with an example or a list continuation"
    if span.endswith(ENDINGS):
        return "ends on a clause or list mark"
    before = passage[: passage.find(span)]
    if not SENTENCE_BOUNDARY.search(before):
        return "starts mid-sentence"
    return None


def test_about_300_questions(quizzes: list[Build]) -> None:
    assert sum(len(b.questions) for b in quizzes) >= 300


def test_true_false_is_balanced_in_every_quiz(quizzes: list[Build]) -> None:
    truths = [
        [q.answer == [TRUE] for q in build.questions if q.type is QuestionType.judge]
        for build in quizzes
    ]
    for quiz in truths:
        assert quiz and abs(2 * sum(quiz) - len(quiz)) <= 1, quiz  # by turns, not by luck
    share = sum(map(sum, truths)) / sum(map(len, truths))
    assert 0.4 <= share <= 0.6, share


def test_no_stem_is_a_fragment(quizzes: list[Build]) -> None:
    fragments = [
        (q.source.text, reason)
        for build in quizzes
        for q in build.questions
        if (reason := _fragment(q.source.text, q.source.passage or q.source.text))
    ]
    assert not fragments, fragments


def test_no_sentence_is_asked_twice_in_a_quiz(quizzes: list[Build]) -> None:
    for build in quizzes:
        spans = [q.source.text for q in build.questions]
        overlapping = [
            (a, b) for i, a in enumerate(spans) for b in spans[i + 1 :] if a in b or b in a
        ]
        assert not overlapping, overlapping


@pytest.mark.parametrize(
    ("ref", "section", "asked"),
    [
        ("QP-99 §1", "1 目的", False),  # what the procedure is for
        ("QP-99 §2", "2 适用范围", False),
        ("某程序", "某程序", False),  # the opening, before any heading
        ("QP-99 §4.2", "4 工作程序 > 4.2 留样", True),
    ],
)
def test_purpose_and_scope_are_not_asked(ref: str, section: str, asked: bool) -> None:
    text = "质量部负责留样的登记和保管，留样期限为2年，到期后由质量部经理批准销毁。"
    chunk = Chunk(chunk_id="c", doc_id="QP-99", title="某程序", kind=Kind.procedure,
                  org="public", ref=ref, section=section, text=text, content_hash="h",
                  position=0)  # fmt: skip
    assert bool(extract(chunk)) is asked


@pytest.mark.parametrize(
    ("text", "first_span"),
    [
        # a label before the colon is not part of what is asked
        ("要点：内部审核每年至少进行2次，审核员不得审核本部门的工作。", "内部审核"),
        ("注意：留样期限为2年，到期后由质量部经理批准销毁。", "留样期限"),
        # a role or a thing before the colon is the subject: it stays
        ("质量部：负责留样的登记和保管，留样期限为2年。", "质量部："),
        ("测量设备贴状态标识：校准周期为12个月，到期前由质量部送检。", "测量设备"),
    ],
)
def test_a_label_head_is_not_asked(text: str, first_span: str) -> None:
    chunk = Chunk(chunk_id="c", doc_id="QP-99", title="某程序", kind=Kind.procedure,
                  org="public", ref="QP-99 §4.2", section="4 工作程序 > 4.2 留样", text=text,
                  content_hash="h", position=0)  # fmt: skip
    facts = extract(chunk)
    assert facts and all(f.span.startswith(first_span) for f in facts), facts


@pytest.mark.parametrize(
    ("sentence", "items"),
    [
        # 等 closes a list: what follows it is the list's category and predicate
        ("快递、专人、挂号或传真等方式送样。", ["快递", "专人", "挂号", "传真"]),
        ("铜杆、铝杆、绝缘料等原材料进厂要检验。", ["铜杆", "铝杆", "绝缘料"]),
        # 等 inside a word is not the end of the list
        ("型号、量程、等级和编号，都要登记。", ["型号", "量程", "等级", "编号"]),
    ],
)
def test_a_list_ends_at_its_etc(sentence: str, items: list[str]) -> None:
    assert [token.text for token in item_tokens(sentence)] == items


def test_the_rules_catch_what_they_are_for() -> None:
    """The checks above fail on the fragments the generator used to make."""
    passage = "企业应当建立制度，例如调整组织机构、新增生产线。下面几类产品不实行许可，具体包括："
    assert _fragment("例如调整组织机构、新增生产线。", passage)
    assert _fragment("下面几类产品不实行许可，具体包括：", passage)
    assert _fragment("新增生产线。", passage) == "starts mid-sentence"
    assert _fragment("企业应当建立制度", passage) is None


def test_each_quiz_reports_its_quality(quizzes: list[Build]) -> None:
    for build in quizzes:
        report, questions = build.report, build.questions
        judged = [q.answer == [TRUE] for q in questions if q.type is QuestionType.judge]
        assert (report.true_statements, report.false_statements) == (
            sum(judged),
            len(judged) - sum(judged),
        )
        assert sum(report.facts.values()) == report.kept == len(questions)
        assert set(report.facts) <= {"number", "role", "modal", "term", "items"}
        assert report.documents == len({q.source.doc_id for q in questions})
        assert report.sections == len({(q.source.doc_id, q.source.ref) for q in questions})
        assert report.quality().startswith(f"判断 正确 {report.true_statements} / 错误")


def test_no_option_is_another_shortened(quizzes: list[Build]) -> None:
    assert abbreviates("限用", "限制使用") and abbreviates("质量管理部", "质量部")
    assert not abbreviates("温度", "湿度") and not abbreviates("6个月", "6个月")
    assert not abbreviates("2个月", "24个月") and not abbreviates("合格", "不合格区")
    pairs = [
        (a, b)
        for build in quizzes
        for q in build.questions
        for i, a in enumerate(q.options)
        for b in q.options[i + 1 :]
        if abbreviates(a, b)
    ]
    assert not pairs, pairs


def test_wrong_periods_and_shares_are_values_a_rule_would_set(quizzes: list[Build]) -> None:
    """6个月 gets 3个月 / 12个月, not 7个月; 30% gets 20% / 50%, not 31%."""
    checked = 0
    for build in quizzes:
        for q in build.questions:
            if q.type is not QuestionType.single:
                continue
            key = parse_number(q.correct_options()[0])
            usual = typical_values().get(key[1], ()) if key else ()
            if not key or key[0] not in usual:
                continue
            for option in q.options:
                parsed = parse_number(option)
                assert parsed and parsed[1] == key[1] and parsed[0] in usual, (q.stem, q.options)
            checked += 1
    assert checked  # a few per 300: most numbers are blanked in 判断 and 填空
    for key in ("6个月", "三十日", "5年", "30%", "24小时"):
        _, unit = parse_number(key) or (0.0, "")
        for difficulty in Difficulty:
            wrong = numbers(key, 3, difficulty, random.Random(0))
            assert len(wrong) == 3, key
            assert all((p := parse_number(w)) and p[0] in typical_values()[unit] for w in wrong)


def test_the_validator_refuses_a_shortened_option(quizzes: list[Build]) -> None:
    """A trainer's edit that puts 限用 beside 限制使用 is flagged like a generated one."""
    question = next(
        q
        for build in quizzes
        for q in build.questions
        if q.type is QuestionType.single
        and len(q.correct_options()[0]) >= 3
        and parse_number(q.correct_options()[0]) is None  # 6月 would be equal, not shortened
    )
    key = question.correct_options()[0]
    wrong = next(i for i, o in enumerate(question.options) if o != key)
    options = list(question.options)
    options[wrong] = key[0] + key[-1]
    problems = validate(question.model_copy(update={"options": options}))
    assert any("简称" in p for p in problems), problems
    assert not validate(question)


def test_a_multiple_choice_count_claim_holds(quizzes: list[Build]) -> None:
    """「处置方式有四种：（ ）」 has four right options, or is not asked as a 多选."""
    assert claimed_count("处置方式有四种：") == 4 and claimed_count("分两步：") == 2
    assert claimed_count("依照第三条规定，包括") is None  # an article, not a count
    assert claimed_count("3个月内提交以下材料") is None
    for build in quizzes:
        for q in build.questions:
            if q.type is not QuestionType.multiple:
                continue
            claimed = claimed_count(q.stem.split(BLANK)[0])
            if claimed is not None:
                assert len(q.answer) == claimed, (q.stem, q.options, q.answer)
