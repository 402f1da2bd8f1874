"""Optional LLM wording: a short topic intro in front of a stem, kept only if the question
still passes the same validation (no new numbers, roles or negations; no answer given away)."""

from __future__ import annotations

from assistant.answer.llm import LLMGenerator
from assistant.quiz.schema import Question, QuestionType

MAX_INTRO = 24
PROMPT = (
    "你在帮培训讲师润色考题。请为下面的题目写一句简短的中文引导语，点明考查的主题，"
    f"不超过{MAX_INTRO}个字，以“：”结尾。不要写出答案，不要出现数字、部门或新的要求。"
    "只输出引导语本身。"
)


class LLMWording:
    """Callable reworder for ``QuizBuilder``; gives up for the rest of the run after the
    endpoint fails once, so a dead endpoint costs one timeout, not one per question."""

    def __init__(self, llm: LLMGenerator) -> None:
        self.chat = llm.chat
        self.failed = False

    def __call__(self, question: Question) -> Question | None:
        if self.failed or question.type is QuestionType.judge:
            return None  # a statement must stay the source's own words
        try:
            message = self.chat.invoke([("system", PROMPT), ("human", question.stem)])
        except Exception:  # any client failure means "keep the plain wording"
            self.failed = True
            return None
        content = str(message.content).strip()
        intro = content.splitlines()[0].strip().strip("“”\"' ") if content else ""
        if not intro or len(intro) > MAX_INTRO or not intro.endswith(("：", ":")):
            return None
        return question.model_copy(update={"stem": intro.rstrip(":：") + "：" + question.stem})
