from __future__ import annotations

from assistant.retrieval.glossary import expand_query


def test_abbreviations_expand_and_plain_questions_stay() -> None:
    assert "管理评审" in expand_query("管评一般几月开")
    assert "工业产品生产许可证" in expand_query("XK证有效期几年")
    assert "ISO 9001" in expand_query("拿了9001证书")
    assert expand_query("ISO 9001认证证书有效期") == "ISO 9001认证证书有效期"
    assert expand_query("管理评审的输入") == "管理评审的输入"
