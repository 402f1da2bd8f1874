"""Rewrite follow-ups (「那换证呢？」「这个要保存多久？」) into stand-alone questions.

Rules, no LLM: a short question that leans on a pronoun or opens with 那/还有 borrows the
topic terms (nouns) of the previous turn.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.text.analysis import tagged_words

_FOLLOW_UP_START_RE = re.compile(r"^(?:那么?|还有|另外|再问一下|顺便问下|然后)[，,\s]*")
_PRONOUN_RE = re.compile(
    r"这个|那个|这些|那些|上述|以上|前面说的|它们?|该(?=[项条类])|这种|那种|这样"
)
_GENERIC_NOUNS = {
    "时间",
    "问题",
    "情况",
    "要求",
    "规定",
    "东西",
    "时候",
    "多久",
    "什么",
    "事情",
    "方面",
    "一下",
    "内容",
    "办法",
    "哪些",
    "企业",
    "公司",
    "我们",
    "咱们",
    "这个",
    "那个",
}
_NOUN_FLAGS = ("n", "nz", "vn", "eng", "nt", "nl", "ng", "j")
# Subjects users switch between in a follow-up (「ISO那边呢？」 after a licence question).
_SUBJECTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("生产许可证", re.compile(r"工业产品生产许可证|生产许可证|XK证|许可证|XK")),
    ("ISO 9001认证", re.compile(r"ISO\s*9001(?:认证)?|9001认证|ISO认证|9001|ISO|体系认证")),
    ("华瑞公司程序", re.compile(r"华瑞|我们公司|咱们公司|公司程序|程序文件")),
)
_CONTRAST_TAIL_RE = re.compile(r"(?:那边|这边|方面|的话)?(?:呢|怎么样|如何)?[？?。]*$")


def _nouns(text: str) -> list[str]:
    nouns: list[str] = []
    for word, flag in tagged_words(text):
        if any(ch in "哪什怎谁几吗呢啥" for ch in word):
            continue  # question words, even when jieba glues them to a noun
        is_topic = flag.startswith(_NOUN_FLAGS) and word not in _GENERIC_NOUNS
        if len(word) >= 2 and is_topic and word not in nouns:
            nouns.append(word)
    return nouns


def is_follow_up(question: str) -> bool:
    q = question.strip()
    if _FOLLOW_UP_START_RE.match(q) or _PRONOUN_RE.search(q):
        return True
    if len(q) <= 8 and q.endswith(("呢", "呢？", "呢?")):
        return True
    if len(q) <= 12 and re.search(r"的话|^(?:如果|要是|万一|假如)", q):
        return True
    return len(q) <= 12 and not _nouns(q)


def _subject(text: str) -> tuple[str, re.Match[str]] | None:
    for name, pattern in _SUBJECTS:
        match = pattern.search(text)
        if match:
            return name, match
    return None


def _switch_subject(question: str, previous: str) -> str | None:
    """「ISO那边呢？」 + 「生产许可证有效期几年」 -> 「ISO 9001认证有效期几年」."""
    new, old = _subject(question), _subject(previous)
    if not new or not old or new[0] == old[0]:
        return None
    rest = _CONTRAST_TAIL_RE.sub("", question.replace(new[1].group(0), "", 1))
    rest = _FOLLOW_UP_START_RE.sub("", rest).strip("，, ")
    if len(rest) > 4:
        return None  # the follow-up asks something of its own
    match = old[1]
    return previous[: match.start()] + new[0] + previous[match.end() :]


def rewrite_follow_up(question: str, history: Sequence[str]) -> str:
    """``history``: earlier (already rewritten) questions, oldest first."""
    q = question.strip()
    if not history or not is_follow_up(q):
        return q
    switched = _switch_subject(q, history[-1])
    if switched:
        return switched
    topic = _nouns(history[-1])
    own = set(_nouns(q))
    borrowed = [word for word in topic if word not in own and word not in q]
    if not borrowed:
        return q
    topic_text = "".join(borrowed[:3])
    body = _FOLLOW_UP_START_RE.sub("", q)
    if _PRONOUN_RE.search(body):
        return _PRONOUN_RE.sub(topic_text, body, count=1)
    return f"{topic_text}{body}" if body else topic_text
