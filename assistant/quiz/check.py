"""The validator: proves each question against the exact span it cites.

A question passes only if its answer key is the span's own text at the blank (or the span
itself for a true statement), every distractor is provably not what the span says, no two
options are equivalent, and a false statement differs from the span in exactly one
checkable token (a number with its unit, a role, a modal verb such as 不得/必须, a list
item).
"""

from __future__ import annotations

from assistant.quiz.facts import item_tokens, split_items
from assistant.quiz.schema import BLANK, FALSE, LETTERS, TRUE, Question, QuestionType
from assistant.quiz.tokens import Category, Token, abbreviates, equivalence, tokens
from assistant.text.analysis import support

MIN_CONTEXT = 4


def cloze(stem: str, span: str) -> tuple[str, int, int] | None:
    """(lead, start, end): the stem is lead + span with span[start:end] blanked."""
    if stem.count(BLANK) != 1:
        return None
    before, after = stem.split(BLANK)
    if not span.endswith(after):
        return None
    end = len(span) - len(after)
    start = next((k for k in range(end - 1, -1, -1) if before.endswith(span[:k])), None)
    if start is None or start + len(after) < MIN_CONTEXT:
        return None  # a blank needs the source's own words around it
    return before[: len(before) - start], start, end


def swapped_token(stem: str, span: str) -> tuple[str, Token, Token] | None:
    """(lead, original, replacement) when the stem is lead + span with exactly one token
    (number, role, modal or list item) swapped for another of the same category; None when
    the change is not of that form."""
    for replacement in tokens(stem) + item_tokens(stem):
        for original in tokens(span) + item_tokens(span):
            lead_end = replacement.start - original.start
            if (
                original.category == replacement.category
                and lead_end >= 0
                and stem[replacement.end :] == span[original.end :]
                and stem[lead_end : replacement.start] == span[: original.start]
            ):
                return stem[:lead_end], original, replacement
    return None


def _lead_problems(lead: str, question: Question, passage: str) -> list[str]:
    """A lead may name the source and set the scene, but add no facts and give nothing away."""
    core = lead
    for name in (f"《{question.source.title}》", question.source.title, question.source.ref):
        if name:
            core = core.replace(name, "")
    problems = []
    checked = support(core, passage)
    if not (checked.numbers_ok and checked.polarity_ok and checked.roles_ok):
        problems.append("题干引导语含有出处中没有的数字、角色或否定词")
    keys = question.correct_options() or (
        question.answer if question.type is QuestionType.blank else []
    )
    if any(key and key in core for key in keys):
        problems.append("题干引导语泄露了答案")
    return problems


def _options_problems(question: Question, min_answers: int, max_answers: int) -> list[str]:
    problems = []
    options = [o.strip() for o in question.options]
    if len(options) < 2 or len(options) > len(LETTERS):
        problems.append(f"选项数量应为 2–{len(LETTERS)} 个")
    if any(not o for o in options):
        problems.append("有空选项")
    keys = [equivalence(o) for o in options]
    if len(set(keys)) != len(keys):
        problems.append("选项重复或等价")
    elif any(abbreviates(a, b) for i, a in enumerate(options) for b in options[i + 1 :]):
        problems.append("有选项只是另一选项的简称（如 限用 / 限制使用），难以区分")
    letters = question.answer
    valid = LETTERS[: len(options)]
    if len(set(letters)) != len(letters) or any(a not in valid for a in letters):
        problems.append("答案字母无效")
    elif not min_answers <= len(letters) <= max_answers:
        problems.append(
            "单选题必须恰有一个正确答案" if max_answers == 1 else "多选题至少要有两个正确答案"
        )
    return problems


def _located(question: Question, span: str) -> tuple[str, int, int] | list[str]:
    found = cloze(question.stem, span)
    return ["题干与出处原文对不上（空格前后须为原文）"] if found is None else found


def _single(question: Question, span: str, passage: str) -> list[str]:
    problems = _options_problems(question, 1, 1)
    located = _located(question, span)
    if isinstance(located, list) or problems:
        return problems + (located if isinstance(located, list) else [])
    lead, start, end = located
    region = span[start:end]
    correct = question.correct_options()[0].strip()
    if correct != region:
        problems.append(f"答案「{correct}」不是原文「{region}」")
    for option in question.options:
        if option.strip() == correct:
            continue
        if equivalence(option) == equivalence(region):
            problems.append(f"干扰项「{option}」与原文等价")
        elif span[:start] + option.strip() + span[end:] in passage:
            problems.append(f"干扰项「{option}」也符合原文")
    return problems + _lead_problems(lead, question, passage)


def _multiple(question: Question, span: str, passage: str) -> list[str]:
    problems = _options_problems(question, 2, len(LETTERS))
    located = _located(question, span)
    if isinstance(located, list) or problems:
        return problems + (located if isinstance(located, list) else [])
    lead, start, end = located
    items = split_items(span[start:end])
    correct = {o.strip() for o in question.correct_options()}
    for option in (o.strip() for o in question.options):
        if option in correct and option not in items:
            problems.append(f"答案「{option}」不在原文列举中")
        if option not in correct and (option in items or option in passage):
            problems.append(f"干扰项「{option}」出现在原文中")
    if len(correct) == len(question.options):
        problems.append("多选题至少要有一个干扰项")
    return problems + _lead_problems(lead, question, passage)


def _blank(question: Question, span: str, passage: str) -> list[str]:
    problems = [] if not question.options else ["填空题不应有选项"]
    if len(question.answer) != 1 or not question.answer[0].strip():
        return [*problems, "填空题必须恰有一个答案"]
    located = _located(question, span)
    if isinstance(located, list):
        return problems + located
    lead, start, end = located
    if question.answer[0].strip() != span[start:end]:
        problems.append(f"答案「{question.answer[0]}」不是原文「{span[start:end]}」")
    return problems + _lead_problems(lead, question, passage)


def _judge(question: Question, span: str, passage: str) -> list[str]:
    if question.options and question.options != [TRUE, FALSE]:
        return ["判断题的选项只能是 正确/错误"]
    if question.answer not in ([TRUE], [FALSE]):
        return ["判断题的答案必须是 正确 或 错误"]
    stem = question.stem
    if question.answer == [TRUE]:
        if not stem.endswith(span):
            return ["判断为正确的陈述必须与出处原文一致"]
        return _lead_problems(stem[: len(stem) - len(span)], question, passage)
    if stem.endswith(span):
        return ["判断为错误的陈述与原文相同"]
    swap = swapped_token(stem, span)
    if swap is None:
        return ["错误陈述与原文的差别无法核对（只能改动一个数字、角色、情态词或列举项）"]
    lead, original, changed = swap
    if equivalence(original.text) == equivalence(changed.text):
        return [f"「{changed.text}」与原文「{original.text}」等价，陈述并不错误"]
    if stem[len(lead) :] in passage:
        return ["判断为错误的陈述在资料中原样出现"]
    if changed.category is Category.items and changed.text in passage:
        return [f"替换进来的「{changed.text}」在资料中也出现，陈述未必错误"]
    return _lead_problems(lead, question, passage)


_CHECKS = {
    QuestionType.single: _single,
    QuestionType.multiple: _multiple,
    QuestionType.blank: _blank,
    QuestionType.judge: _judge,
}


def validate(question: Question) -> list[str]:
    """Problems in Chinese; an empty list means the question is proved by its span."""
    span = question.source.text
    passage = question.source.passage or span
    if not span.strip():
        return ["缺少出处原文"]
    problems = [] if span in passage else ["出处原文不在资料段落中"]
    return problems + _CHECKS[question.type](question, span, passage)


def revalidated(question: Question) -> Question:
    """The question with ``flagged``/``problems`` set from a fresh validation."""
    problems = validate(question)
    return question.model_copy(update={"flagged": bool(problems), "problems": problems})
