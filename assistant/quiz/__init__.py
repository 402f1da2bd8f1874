"""Quiz builder: source-validated questions (单选/多选/判断/填空), storage and exports."""

from assistant.quiz.check import revalidated, validate
from assistant.quiz.generate import MAX_QUESTIONS, Build, QuizBuilder, QuizError
from assistant.quiz.schema import (
    Difficulty,
    GenerationReport,
    Question,
    QuestionType,
    Quiz,
    Selection,
    Source,
)
from assistant.quiz.service import make_quiz

__all__ = [
    "MAX_QUESTIONS",
    "Build",
    "Difficulty",
    "GenerationReport",
    "Question",
    "QuestionType",
    "Quiz",
    "QuizBuilder",
    "QuizError",
    "Selection",
    "Source",
    "make_quiz",
    "revalidated",
    "validate",
]
