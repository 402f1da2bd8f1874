"""Shop-floor abbreviations -> the terms our sources use.

Staff write 管评, XK证, 9001; regulations and procedures say 管理评审, 生产许可证, ISO 9001.
Neither bigrams nor e5 bridge those, so the question is expanded before retrieval.
"""

from __future__ import annotations

import re

# abbreviation (regex) -> expansion appended to the question
GLOSSARY: tuple[tuple[str, str], ...] = (
    (r"XK证|XK|QS证|许可证(?!管理)", "工业产品生产许可证"),
    (r"(?<![Ii][Ss][Oo] )(?<![Ii][Ss][Oo])9001", "ISO 9001 质量管理体系认证"),
    (r"管评", "管理评审"),
    (r"内审", "内部审核"),
    (r"外审", "第三方认证审核"),
    (r"监审|年审", "监督审核"),
    (r"复评|再认证", "再认证审核"),
    (r"出货检验|出货检|出货", "出厂检验"),
    (r"来料检验|来料", "进货检验 采购产品验证"),
    (r"客诉|客户投诉", "顾客投诉"),
    (r"客户满意", "顾客满意"),
    (r"量具|仪器仪表|测量仪器", "计量器具 监视和测量设备"),
    (r"强检", "强制检定"),
    (r"不良品|不合格品?", "不合格品"),
    (r"8D", "纠正措施 8D"),
    (r"厂家|工厂|厂子", "企业"),
    (r"罚多少|罚款", "罚款 处罚 法律责任"),
    (r"证书台账|台账", "台账 记录"),
    (r"体系文件", "文件化信息 程序文件"),
)
_COMPILED = tuple((re.compile(pattern), expansion) for pattern, expansion in GLOSSARY)


def expand_query(question: str) -> str:
    """Append the canonical terms for any abbreviation found; the question itself is kept."""
    additions: list[str] = []
    for pattern, expansion in _COMPILED:
        if pattern.search(question) and expansion not in question and expansion not in additions:
            additions.append(expansion)
    if not additions:
        return question
    return f"{question}（{'；'.join(additions)}）"
