"""Does a passage support a sentence? The evaluation's own judge, sharing no code with the
answerer's grounding check (``assistant.text.analysis.support``), so the answerer is not scored
with its own yardstick.

A sentence is supported when every figure and every article number in it occurs in the
passage, it adds no negation the passage lacks, and enough of its character bigrams occur in
the passage (``MIN_CONTAINMENT``, fitted on the dev pairs of support_pairs.jsonl). Validated
on the test pairs: ``python -m evals.faithfulness``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.text.lexicon import read_word_list

LEXICON = Path(__file__).resolve().parent / "lexicon"
MIN_CONTAINMENT = 0.6  # fitted on the dev pairs (python -m evals.faithfulness)
NEGATIONS = read_word_list(LEXICON / "negations.txt")
_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_POWERS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_CN_NUMBER_RE = re.compile(r"[零〇一二两三四五六七八九十百千万]+")
_NUMBER_RE = re.compile(r"\d+(?:\.\d+)?")
_ARTICLE_RE = re.compile(r"第\s*(\d+)\s*条")
_PIECE_RE = re.compile(r"[。；;！？\n]")
_WORD_RE = re.compile(r"[\u4e00-\u9fff]+|[A-Za-z0-9.\-]+")


def chinese_number(text: str) -> int:
    """「二十五」 → 25, 「一百零八」 → 108, 「六」 → 6."""
    total, section, digit = 0, 0, 0
    for char in text:
        if char in _DIGITS:
            digit = _DIGITS[char]
        elif char == "万":
            total, section, digit = (total + section + digit) * 10000, 0, 0
        else:
            section += (digit or 1) * _POWERS[char]
            digit = 0
    return total + section + digit


def with_digits(text: str) -> str:
    """Chinese numerals as digits, spaces out: 「第二十五条」 and 「第25条」 read the same."""
    text = re.sub(r"\s+", "", text)
    return _CN_NUMBER_RE.sub(lambda m: str(chinese_number(m.group(0))), text)


def bigrams(text: str) -> set[str]:
    found = set()
    for word in _WORD_RE.findall(text):
        if word.isascii():
            found.add(word.lower())
        else:
            found.update(word[i : i + 2] for i in range(len(word) - 1))
    return found


@dataclass(frozen=True)
class Judgement:
    containment: float  # share of the sentence's bigrams in the passage
    figures_agree: bool
    articles_agree: bool
    negation_agrees: bool

    def supported(self, min_containment: float = MIN_CONTAINMENT) -> bool:
        return (
            self.figures_agree
            and self.articles_agree
            and self.negation_agrees
            and self.containment >= min_containment
        )


def _negations(text: str) -> set[str]:
    return {word for word in NEGATIONS if word in text}


def judge(sentence: str, passage: str) -> Judgement:
    """Figures and article numbers against the whole passage; negations against the passage
    sentence the sentence overlaps most (a 不得 elsewhere in the passage does not count)."""
    said, source = with_digits(sentence), with_digits(passage)
    words = bigrams(said)
    pieces = [p for p in _PIECE_RE.split(source) if p] or [source]
    aligned = max(pieces, key=lambda piece: len(words & bigrams(piece)))
    return Judgement(
        containment=len(words & bigrams(source)) / max(len(words), 1),
        figures_agree=set(_NUMBER_RE.findall(said)) <= set(_NUMBER_RE.findall(source)),
        articles_agree=set(_ARTICLE_RE.findall(said)) <= set(_ARTICLE_RE.findall(source)),
        negation_agrees=bool(_negations(said)) == bool(_negations(aligned)),
    )


def supported(sentence: str, passage: str) -> bool:
    return judge(sentence, passage).supported()


def main() -> int:
    """Accuracy on the labelled pairs, and the dev-best threshold beside the one in use."""
    from evals.support_scorer import judged_accuracy, load  # it reports this judge too

    items = load()
    dev = [i for i in items if i["split"] == "dev"]
    test = [i for i in items if i["split"] == "test"]

    def at(threshold: float) -> Callable[[dict[str, Any]], bool]:
        return lambda i: judge(i["sentence"], i["passage"]).supported(threshold)

    grid = [round(0.3 + 0.05 * step, 2) for step in range(13)]
    report = {
        "pairs": {"dev": len(dev), "test": len(test)},
        "dev_best_threshold": max(grid, key=lambda t: judged_accuracy(dev, at(t))),
        "threshold": MIN_CONTAINMENT,
        "accuracy": {
            "dev": judged_accuracy(dev, at(MIN_CONTAINMENT)),
            "test": judged_accuracy(test, at(MIN_CONTAINMENT)),
        },
    }
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
