"""Yes/no questions answered 可以 / 不可以 first, when the leading sentence settles it.

「没拿到证能先生产吗？」 with 「企业未依照本条例规定申请取得生产许可证的，不得生产列入目录的
产品」 leads with 不能. The modal the question asks with is matched to the sentence's own
wording of it (lexicon ``modals``); a sentence that holds both a yes and a no settles nothing,
and then the answer simply starts with the basis.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from assistant.text.analysis import asked_clauses
from assistant.text.lexicon import table


@dataclass(frozen=True)
class Modal:
    asked: tuple[str, ...]
    yes: tuple[str, ...]
    no: tuple[str, ...]


@cache
def asking_words() -> tuple[tuple[str, Modal], ...]:
    """Every word a question asks with and its modal, longest first (需不需要 before 能)."""
    modals = [Modal(asked, yes, no) for asked, yes, no in table("modals")]
    pairs = [(word, modal) for modal in modals for word in modal.asked]
    return tuple(sorted(pairs, key=lambda pair: -len(pair[0])))


def asked_modal(question: str) -> Modal | None:
    """The modal of the clause that asks (「我们…，可以合并审核吗」 asks with 可以)."""
    asked = "，".join(asked_clauses(question)) or question
    return next((modal for word, modal in asking_words() if word in asked), None)


def leading_verdict(question: str, sentence: str) -> str | None:
    """可以 / 不可以 (the modal's first asked word, or 不 and it) when ``sentence`` answers
    ``question`` one way only."""
    modal = asked_modal(question)
    if modal is None:
        return None
    rest = sentence
    said_no = False
    for word in sorted(modal.no, key=len, reverse=True):
        if word in rest:
            said_no = True
            rest = rest.replace(word, "")
    said_yes = any(word in rest for word in modal.yes)
    if said_no == said_yes:
        return None
    return ("不" if said_no else "") + modal.asked[0]
