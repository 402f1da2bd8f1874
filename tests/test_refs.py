from __future__ import annotations

import pytest

from assistant.refs import article_ref, cn_to_int, find_refs, int_to_cn


@pytest.mark.parametrize(
    ("text", "number"),
    [("一", 1), ("十", 10), ("十五", 15), ("二十", 20), ("二十五", 25), ("一百", 100),
     ("一百零三", 103), ("一百二十", 120), ("七十", 70), ("25", 25)],
)  # fmt: skip
def test_numerals_round_trip(text: str, number: int) -> None:
    assert cn_to_int(text) == number
    if not text.isdigit():
        assert int_to_cn(number) == text


def test_every_article_number_round_trips() -> None:
    for number in range(1, 400):
        assert cn_to_int(int_to_cn(number)) == number
    assert article_ref(25) == "第二十五条"


def test_find_refs_in_questions() -> None:
    refs = find_refs("条例第二十五条和第5条说了什么？还有7.1.5和9.2条款，HR-QP-05 §4.3呢")
    assert refs.articles == (25, 5)
    assert refs.clauses == ("7.1.5", "9.2")
    assert refs.procedures == (("HR-QP-05", "4.3"),)


def test_numbers_are_not_clauses() -> None:
    assert not find_refs("出厂合格率要达到99.5%吗？")
    assert not find_refs("有效期5年，提前6个月申请")
    assert find_refs("ISO 9001 条款 9 讲什么").clauses == ("9",)
    assert not find_refs("4.5天内完成").clauses


def test_clause_at_the_end_of_the_question() -> None:
    assert find_refs("7.1.5").clauses == ("7.1.5",)
    assert find_refs("条款8.5.2").clauses == ("8.5.2",)
