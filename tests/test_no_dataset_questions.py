"""Tests check language phenomena, not evaluation questions: no test string is (nearly) a
question of the dev or held-out sets, so a rule cannot be pinned to one of them by its test."""

from __future__ import annotations

import ast
import json
import re

from tests.conftest import PROJECT_ROOT

DATASETS = PROJECT_ROOT / "evals" / "datasets"
EVALUATION_SETS = [
    DATASETS / name for name in ("answers.jsonl", "refusal.jsonl", "retrieval_golden.jsonl")
] + sorted((DATASETS / "heldout").glob("*.jsonl"))
TOO_CLOSE = 0.6  # share of character bigrams in common (Jaccard)


def _bigrams(text: str) -> set[str]:
    flat = re.sub(r"[^\u4e00-\u9fff0-9A-Za-z]", "", text)
    return {flat[i : i + 2] for i in range(len(flat) - 1)}


def test_no_test_string_is_an_evaluation_question() -> None:
    questions = [
        _bigrams(json.loads(line)["question"])
        for path in EVALUATION_SETS
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    close = []
    for path in sorted((PROJECT_ROOT / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
                continue
            grams = _bigrams(node.value)
            if len(grams) < 4 or not re.search(r"[\u4e00-\u9fff]{4}", node.value):
                continue
            if any(len(grams & q) / len(grams | q) >= TOO_CLOSE for q in questions):
                close.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno} {node.value}")
    assert not close, "\n".join(close)
