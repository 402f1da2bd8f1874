from __future__ import annotations

import pytest

from assistant.answer.rewrite import is_follow_up, rewrite_follow_up


@pytest.mark.parametrize(
    ("follow_up", "previous", "must_contain"),
    [
        ("那换证呢？", "生产许可证的有效期是几年？", ["生产许可证", "换证"]),
        ("这个要保存多久？", "出厂检验记录由谁保管？", ["出厂检验记录", "保存多久"]),
        ("谁负责？", "不合格品怎么处置？", ["不合格品", "负责"]),
        ("ISO那边呢？", "生产许可证证书有效期几年", ["ISO 9001", "有效期几年"]),
        ("不合格的话怎么办？", "出厂检验要做哪些项目", ["出厂检验", "不合格"]),
    ],
)
def test_follow_ups_are_rewritten(follow_up: str, previous: str, must_contain: list[str]) -> None:
    rewritten = rewrite_follow_up(follow_up, [previous])
    for part in must_contain:
        assert part in rewritten, rewritten


def test_stand_alone_questions_are_kept() -> None:
    assert not is_follow_up("华瑞的内审多久做一次？")
    assert rewrite_follow_up("华瑞的内审多久做一次？", ["生产许可证有效期几年"]) == (
        "华瑞的内审多久做一次？"
    )
    assert rewrite_follow_up("那换证呢？", []) == "那换证呢？"
