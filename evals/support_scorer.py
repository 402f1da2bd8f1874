"""Accuracy of the support scorer (does this passage support this sentence?) on the
labelled pairs in evals/datasets/support_pairs.jsonl.

    python -m evals.support_scorer

Three scorers side by side: the answerer's own rule check (character-bigram coverage;
numbers, prohibitions and roles must agree) and the same rules with an e5 cosine between
sentence and passage mixed into the score, weight and threshold fitted on the dev pairs
only; and the evaluation's own judge (``evals.faithfulness``, no code shared with the
answerer), which the answer eval scores faithfulness with. When an OpenAI-compatible LLM
is configured (``CERTGUIDE_LLM_BASE_URL``), an LLM judge runs beside them; without one it is
skipped.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.embedding.encoder import Encoder, get_encoder
from assistant.ingest.chunking import Chunker
from assistant.ingest.convert import load_document
from assistant.settings import Settings, get_settings
from assistant.text.analysis import SUPPORT_THRESHOLD, Support, support
from evals.faithfulness import supported
from evals.retrieval import OFFICIAL_DOC_IDS, REGULATIONS_DIR

DATASET = Path(__file__).resolve().parent / "datasets" / "support_pairs.jsonl"
Judge = Callable[[dict[str, Any]], bool]


def official_passages() -> dict[tuple[str, str], str]:
    """(doc_id, ref) -> chunk text of the official texts in ../shared/regulations, chunked as
    ingestion does; empty when they are absent. The dataset stores no official text."""
    if not REGULATIONS_DIR.is_dir():
        return {}
    settings = get_settings()
    chunker = Chunker(settings.chunk_max_chars, settings.chunk_overlap_chars)
    passages = {}
    for path in sorted(REGULATIONS_DIR.glob("*.md")):
        if path.stem in OFFICIAL_DOC_IDS:
            for chunk in chunker.chunk(load_document(path)):
                passages[(chunk.doc_id, chunk.ref)] = chunk.text
    return passages


def load() -> list[dict[str, Any]]:
    """The labelled pairs; pairs on official texts get their passage (and a verbatim
    sentence its span of it) from ../shared/regulations, and are left out without it."""
    lines = DATASET.read_text(encoding="utf-8").splitlines()
    items = [json.loads(line) for line in lines if line.strip()]
    official = official_passages() if any("passage" not in i for i in items) else {}
    loaded = []
    for item in items:
        if "passage" not in item:
            passage = official.get((item["doc_id"], item["ref"]))
            if passage is None:
                continue
            item["passage"] = passage
            if "sentence_span" in item:
                start, end = item.pop("sentence_span")
                item["sentence"] = passage[start:end]
        loaded.append(item)
    return loaded


def _facts_agree(result: Support) -> bool:
    return result.numbers_ok and result.polarity_ok and result.roles_ok


def rules(item: dict[str, Any], threshold: float = SUPPORT_THRESHOLD) -> bool:
    """The rule scorer's verdict, with its coverage threshold."""
    result = support(item["sentence"], item["passage"])
    return _facts_agree(result) and result.score >= threshold


def accuracy(items: Sequence[dict[str, Any]], threshold: float = SUPPORT_THRESHOLD) -> float:
    return judged_accuracy(items, lambda item: rules(item, threshold))


def judged_accuracy(items: Sequence[dict[str, Any]], judge: Judge) -> float:
    correct = sum(judge(i) == (i["label"] == "supported") for i in items)
    return correct / max(len(items), 1)


def errors_by_kind(items: Sequence[dict[str, Any]], judge: Judge) -> dict[str, int]:
    return dict(Counter(i["kind"] for i in items if judge(i) != (i["label"] == "supported")))


def best_threshold(items: Sequence[dict[str, Any]]) -> float:
    grid = [round(0.3 + 0.05 * step, 2) for step in range(11)]
    return max(grid, key=lambda t: (accuracy(items, t), -abs(t - SUPPORT_THRESHOLD)))


@dataclass(frozen=True)
class SemanticScorer:
    """score = weight · cosine(e5 sentence, e5 passage) + (1 − weight) · bigram coverage,
    supported when the facts agree and score ≥ threshold. Cosine catches paraphrases that
    share few characters; the fact checks still decide numbers, negations and roles."""

    cosines: dict[str, float]  # pair id -> cosine
    weight: float = 0.5
    threshold: float = 0.5

    def score(self, item: dict[str, Any]) -> tuple[float, bool]:
        result = support(item["sentence"], item["passage"])
        mixed = self.weight * self.cosines[item["id"]] + (1 - self.weight) * result.score
        return mixed, _facts_agree(result)

    def __call__(self, item: dict[str, Any]) -> bool:
        mixed, facts_agree = self.score(item)
        return facts_agree and mixed >= self.threshold


def cosines(items: Sequence[dict[str, Any]], encoder: Encoder) -> dict[str, float]:
    """e5 cosine per pair; both sides as ``query:`` (symmetric similarity, as e5 advises)."""
    sentences = encoder.embed_queries([i["sentence"] for i in items])
    passages = encoder.embed_queries([i["passage"] for i in items])
    values = np.einsum("ij,ij->i", sentences, passages)
    return {i["id"]: float(v) for i, v in zip(items, values, strict=True)}


def fit_semantic(items: Sequence[dict[str, Any]], cos: dict[str, float]) -> SemanticScorer:
    """Weight and threshold with the best dev accuracy (ties: the smaller weight)."""
    best, best_accuracy = SemanticScorer(cos, 0.0, SUPPORT_THRESHOLD), -1.0
    for weight in np.arange(0.0, 1.01, 0.1):
        for threshold in np.arange(0.3, 0.96, 0.01):
            scorer = SemanticScorer(cos, round(float(weight), 2), round(float(threshold), 2))
            value = judged_accuracy(items, scorer)
            if value > best_accuracy + 1e-9:
                best, best_accuracy = scorer, value
    return best


JUDGE_PROMPT = (
    "判断“句子”是否完全被“段落”支持：句子中的每个事实（数字、期限、部门、条款号、是否允许）"
    "都必须在段落中有依据且一致。只回答“支持”或“不支持”。"
)


def llm_judge(settings: Settings) -> Judge | None:
    """An LLM support judge over the configured endpoint, or None when none is set."""
    if not settings.llm_base_url:
        return None
    from assistant.answer.llm import LLMGenerator

    chat = LLMGenerator(settings).chat

    def judge(item: dict[str, Any]) -> bool:
        prompt = f"段落：{item['passage']}\n句子：{item['sentence']}\n回答："
        message = chat.invoke([("system", JUDGE_PROMPT), ("human", prompt)])
        text = str(message.content).strip()
        return text.startswith("支持") or ("支持" in text and "不支持" not in text)

    return judge


def evaluate(encoder: Encoder, settings: Settings) -> dict[str, Any]:
    items = load()
    dev = [i for i in items if i["split"] == "dev"]
    test = [i for i in items if i["split"] == "test"]
    semantic = fit_semantic(dev, cosines(items, encoder))
    judges: dict[str, Judge] = {
        "rules": rules,
        "rules+e5": semantic,
        "evaluation's own (evals.faithfulness)": lambda i: supported(i["sentence"], i["passage"]),
    }
    llm = llm_judge(settings)
    if llm is not None:
        judges["llm"] = llm
    report: dict[str, Any] = {
        "pairs": {"dev": len(dev), "test": len(test)},
        "rules_threshold": SUPPORT_THRESHOLD,
        "rules_dev_best_threshold": best_threshold(dev),
        "e5_weight": semantic.weight,
        "e5_threshold": semantic.threshold,
        "llm": settings.llm_model if llm is not None else None,
        "accuracy": {},
        "errors_by_kind": {},
    }
    for name, judge in judges.items():
        report["accuracy"][name] = {
            "dev": judged_accuracy(dev, judge),
            "test": judged_accuracy(test, judge),
        }
        report["errors_by_kind"][name] = errors_by_kind(test, judge)
    return report


def to_markdown(report: dict[str, Any]) -> str:
    lines = [
        "# Support scorer",
        "",
        f"pairs: {report['pairs']['dev']} dev / {report['pairs']['test']} test; "
        f"rules coverage threshold {report['rules_threshold']} "
        f"(dev-best {report['rules_dev_best_threshold']}); e5 weight {report['e5_weight']}, "
        f"threshold {report['e5_threshold']} (fitted on dev)"
        + ("" if report["llm"] else "; no LLM configured, LLM judge skipped"),
        "",
        "| scorer | dev accuracy | test accuracy | test errors by kind |",
        "|---|---|---|---|",
    ]
    for name, values in report["accuracy"].items():
        errors = ", ".join(f"{k} {v}" for k, v in sorted(report["errors_by_kind"][name].items()))
        lines.append(f"| {name} | {values['dev']:.3f} | {values['test']:.3f} | {errors} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    settings = get_settings()
    report = evaluate(get_encoder(settings), settings)
    print(to_markdown(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
