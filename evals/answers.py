"""Answer evaluation: is every answer grounded in what it cites?

    python -m evals.answers [--split dev] [--limit N] [--data-dir data/eval]

Metrics (no LLM judge): key-fact recall, and key facts cited (stated in a sentence citing a
passage that holds them); expected source cited; answer first (the first
sentence holds a key fact); repeated facts (a figure such as 5年 stated in two sentences);
boilerplate (sentences that speak about the text itself, 本指南…); citation precision
(each cited passage supports the sentence citing it) and citation recall (each sentence
has a supporting citation), after ALCE; faithfulness (sentences supported by any passage
returned with the reply), after RAGAS — both judged by ``evals.faithfulness``, which shares
no code with the answerer's own check; negative rejection and false refusal, after RGB;
latency p50/p95. Writes evals/reports/<timestamp>/answers.{json,md} and PNG plots.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.answer.pipeline import Answerer
from assistant.answer.schema import Reply
from assistant.conversations import ConversationStore
from assistant.db import make_engine
from assistant.refs import NumeralError, cn_to_int
from assistant.text.lexicon import read_word_list
from evals.faithfulness import supported
from evals.retrieval import OFFICIAL_DOC_IDS, REGULATIONS_DIR, build_eval_index

DATASETS = Path(__file__).resolve().parent / "datasets"
LEXICON = Path(__file__).resolve().parent / "lexicon"
REPORTS = Path(__file__).resolve().parent / "reports"
_MARKER_RE = re.compile(r"\[(\d+)\]")
_CN_NUMBER_RE = re.compile(r"[一二两三四五六七八九十百]+(?=[个年月日天周小时工作次级批名项倍%元])")

Ask = Callable[[str], Reply]
DATASET_FILES = (("answers.jsonl", False), ("refusal.jsonl", True))


def lexicon(name: str) -> list[str]:
    """A word list of the evaluation's own (kept apart from the answerer's, so that what the
    answerer avoids is not measured with its own yardstick), longest first."""
    return sorted(read_word_list(LEXICON / f"{name}.txt"), key=len, reverse=True)


FIGURE_RE = re.compile(r"\d+(?:\.\d+)?\s*(?:" + "|".join(map(re.escape, lexicon("units"))) + ")")
SELF_REFERENCE = lexicon("self_reference")
PLOTTED = (
    "key_fact_recall",
    "key_facts_cited",
    "citation_precision",
    "citation_recall",
    "faithfulness",
    "negative_rejection",
    "false_refusal",
)


@dataclass
class Result:
    id: str
    split: str
    kind: str
    must_refuse: bool
    question: str
    answer: str
    refused: bool
    latency_ms: float
    key_facts: list[str] = field(default_factory=list)
    facts_found: int = 0
    facts_cited: int = 0  # stated in a sentence that cites a passage holding the fact
    cited_pairs: int = 0
    supported_pairs: int = 0
    sentences: int = 0
    sentences_with_support: int = 0
    sentences_in_context: int = 0
    citations: list[str] = field(default_factory=list)
    expected_cited: bool | None = None  # None: the item names no expected source
    first_has_fact: bool = False
    repeated_figures: list[str] = field(default_factory=list)
    boilerplate_sentences: int = 0
    first_is_boilerplate: bool = False


def is_boilerplate(sentence: str) -> bool:
    return any(word in sentence for word in SELF_REFERENCE)


def repeated_figures(sentences: Sequence[str]) -> list[str]:
    """Figures (5年, 6个月) that two or more sentences of one answer state."""
    seen: dict[str, int] = {}
    for sentence in sentences:
        for figure in set(FIGURE_RE.findall(normalise_numbers(sentence))):
            seen[figure] = seen.get(figure, 0) + 1
    return sorted(f for f, n in seen.items() if n > 1)


def normalise_numbers(text: str) -> str:
    """「五日」 and 「5日」 count as the same fact."""

    def to_digits(match: re.Match[str]) -> str:
        try:
            return str(cn_to_int(match.group(0)))
        except NumeralError:
            return match.group(0)

    return _CN_NUMBER_RE.sub(to_digits, re.sub(r"\s+", "", text))


def answer_sentences(answer: str) -> list[tuple[str, list[int]]]:
    sentences = []
    for raw in re.split(r"(?<=。)", answer):
        markers = [int(n) for n in _MARKER_RE.findall(raw)]
        text = _MARKER_RE.sub("", raw).strip().rstrip("。")
        if len(text) >= 4:
            sentences.append((text, markers))
    return sentences


def facts_cited(
    key_facts: Sequence[str], pieces: Sequence[tuple[str, list[int]]], reply: Reply
) -> int:
    """Key facts stated in a sentence (``pieces``: ``answer_sentences`` of the reply) whose
    markers point to a passage that holds them: a right figure cited to the wrong passage
    does not count."""
    passages = {c.n: normalise_numbers(c.text) for c in reply.citations}
    sentences = [(normalise_numbers(t), m) for t, m in pieces]
    return sum(
        any(
            f in text and any(f in passages.get(n, "") for n in markers)
            for text, markers in sentences
        )
        for f in map(normalise_numbers, key_facts)
    )


def score(item: dict[str, Any], reply: Reply, latency_ms: float, must_refuse: bool) -> Result:
    result = Result(
        id=str(item["id"]),
        split=str(item["split"]),
        kind=str(item.get("kind") or item.get("category") or ""),
        must_refuse=must_refuse,
        question=str(item["question"]),
        answer=reply.answer,
        refused=reply.refused,
        latency_ms=latency_ms,
        key_facts=list(item.get("key_facts") or []),
        citations=[f"[{c.n}] {c.doc_id} {c.ref}" for c in reply.citations],
    )
    if reply.refused:
        return result
    answer = normalise_numbers(reply.answer)
    result.facts_found = sum(1 for f in result.key_facts if normalise_numbers(f) in answer)
    pieces = answer_sentences(reply.answer)
    result.facts_cited = facts_cited(result.key_facts, pieces, reply)
    expected = {(e["doc_id"], e["ref"]) for e in item.get("expected") or []}
    if expected:
        result.expected_cited = any((c.doc_id, c.ref) in expected for c in reply.citations)
    sentences = [text for text, _ in pieces]
    if sentences:
        first = normalise_numbers(sentences[0])
        result.first_has_fact = any(normalise_numbers(f) in first for f in result.key_facts)
        result.first_is_boilerplate = is_boilerplate(sentences[0])
    result.repeated_figures = repeated_figures(sentences)
    result.boilerplate_sentences = sum(map(is_boilerplate, sentences))
    passages = {c.n: c.text for c in reply.citations}
    for sentence, markers in pieces:
        result.sentences += 1
        verdicts = [supported(sentence, passages[n]) for n in markers if n in passages]
        result.cited_pairs += len(verdicts)
        result.supported_pairs += sum(verdicts)
        result.sentences_with_support += any(verdicts)
        result.sentences_in_context += any(supported(sentence, text) for text in passages.values())
    return result


def usable(item: dict[str, Any]) -> bool:
    expected = item.get("expected") or []
    official_only = expected and all(e["doc_id"] in OFFICIAL_DOC_IDS for e in expected)
    return not official_only or REGULATIONS_DIR.is_dir()


def read_items(path: Path) -> list[dict[str, Any]]:
    """The items of a JSONL set usable here (official-text items need ../shared/regulations)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [item for line in lines if line.strip() and usable(item := json.loads(line))]


def load(name: str, split: str | None, limit: int | None) -> list[dict[str, Any]]:
    items = [i for i in read_items(DATASETS / name) if split is None or i["split"] == split]
    return items[:limit] if limit else items


def run(ask: Ask, split: str | None = None, limit: int | None = None) -> list[Result]:
    datasets = [(load(name, split, limit), refuse) for name, refuse in DATASET_FILES]
    return run_items(lambda item: ask(str(item["question"])), datasets)


def run_items(
    ask: Callable[[dict[str, Any]], Reply],
    datasets: Sequence[tuple[Sequence[dict[str, Any]], bool]],
) -> list[Result]:
    """Ask every item of each (items, must refuse) set; ``ask`` sees the whole item, so a
    runner can ask as the item's asker."""
    results = []
    for items, must_refuse in datasets:
        for item in items:
            reply = ask(item)
            results.append(score(item, reply, reply.timings_ms.get("total", 0.0), must_refuse))
    return results


def metrics(results: Sequence[Result]) -> dict[str, float]:
    answerable = [r for r in results if not r.must_refuse]
    must_refuse = [r for r in results if r.must_refuse]
    answered = [r for r in answerable if not r.refused]
    facts = sum(len(r.key_facts) for r in answered)
    all_facts = sum(len(r.key_facts) for r in answerable)
    pairs = sum(r.cited_pairs for r in answered)
    sentences = sum(r.sentences for r in answered)
    latencies = sorted(r.latency_ms for r in results) or [0.0]
    with_facts = [r for r in answered if r.key_facts]
    with_sources = [r for r in answered if r.expected_cited is not None]
    return {
        "answerable": len(answerable),
        "must_refuse": len(must_refuse),
        "key_facts": all_facts,
        "key_fact_recall": sum(r.facts_found for r in answered) / max(facts, 1),
        # over every answerable question, a refused one stating none of its facts
        "key_facts_cited": sum(r.facts_cited for r in answerable) / max(all_facts, 1),
        "expected_source_cited": sum(bool(r.expected_cited) for r in with_sources)
        / max(len(with_sources), 1),
        "answer_first": sum(r.first_has_fact for r in with_facts) / max(len(with_facts), 1),
        "repeated_fact_rate": sum(bool(r.repeated_figures) for r in answered)
        / max(len(answered), 1),
        "boilerplate_first": sum(r.first_is_boilerplate for r in answered) / max(len(answered), 1),
        "boilerplate_rate": sum(r.boilerplate_sentences for r in answered) / max(sentences, 1),
        "citation_precision": sum(r.supported_pairs for r in answered) / max(pairs, 1),
        "citation_recall": sum(r.sentences_with_support for r in answered) / max(sentences, 1),
        "faithfulness": sum(r.sentences_in_context for r in answered) / max(sentences, 1),
        "negative_rejection": sum(r.refused for r in must_refuse) / max(len(must_refuse), 1),
        "false_refusal": sum(r.refused for r in answerable) / max(len(answerable), 1),
        "latency_p50_ms": statistics.median(latencies),
        "latency_p95_ms": latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))],
    }


def worst(results: Sequence[Result], n: int = 10) -> list[Result]:
    """Refusal mistakes first, then answers missing the most key facts or support."""

    def badness(r: Result) -> tuple[float, float]:
        if r.refused != r.must_refuse:
            return (2.0, 0.0)
        if r.refused:
            return (0.0, 0.0)
        missing = 1 - r.facts_found / max(len(r.key_facts), 1)
        unsupported = 1 - r.sentences_with_support / max(r.sentences, 1)
        return (missing + unsupported, -r.latency_ms)

    return sorted(results, key=badness, reverse=True)[:n]


def to_markdown(report: dict[str, Any]) -> str:
    lines = ["# Answer evaluation", "", f"configuration: `{report['configuration']}`", ""]
    groups = report["groups"]
    names = list(groups["all"])
    lines += ["| group | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for group, values in groups.items():
        cells = [
            f"{values[k]:.3f}" if isinstance(values[k], float) else str(values[k]) for k in names
        ]
        lines.append(f"| {group} | " + " | ".join(cells) + " |")
    lines += ["", "## Worst 10", ""]
    for r in report["worst"]:
        verdict = "refused" if r["refused"] else "answered"
        should = "must refuse" if r["must_refuse"] else "answerable"
        lines.append(f"- **{r['id']}** ({should}, {verdict}) {r['question']}")
        lines.append(f"  - answer: {r['answer'][:200]}")
        lines.append(f"  - citations: {', '.join(r['citations'])}")
        if r["key_facts"]:
            lines.append(f"  - key facts: {r['key_facts']} (found {r['facts_found']})")
    return "\n".join(lines) + "\n"


def plot(report: dict[str, Any], results: Sequence[Result], out_dir: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = PLOTTED
    fig, ax = plt.subplots(figsize=(8, 4))
    splits = [g for g in report["groups"] if g.startswith("split=")] or ["all"]
    width = 0.8 / len(splits)
    for i, group in enumerate(splits):
        values = [report["groups"][group][k] for k in keys]
        ax.bar([x + i * width for x in range(len(keys))], values, width, label=group)
    ax.set_xticks(
        [x + width * (len(splits) - 1) / 2 for x in range(len(keys))], keys, rotation=20, ha="right"
    )
    ax.set_ylim(0, 1.05)
    ax.set_title(f"answer metrics ({report['configuration']})")
    ax.legend()
    fig.tight_layout()
    metrics_png = out_dir / "metrics.png"
    fig.savefig(metrics_png, dpi=120)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.hist([r.latency_ms for r in results], bins=30)
    ax.set_xlabel("latency per answer (ms)")
    ax.set_ylabel("questions")
    fig.tight_layout()
    latency_png = out_dir / "latency.png"
    fig.savefig(latency_png, dpi=120)
    plt.close(fig)
    return [metrics_png, latency_png]


def build_report(results: Sequence[Result], configuration: str) -> dict[str, Any]:
    groups: dict[str, dict[str, float]] = {"all": metrics(results)}
    for split in sorted({r.split for r in results}):
        groups[f"split={split}"] = metrics([r for r in results if r.split == split])
    for kind in sorted({r.kind for r in results if not r.must_refuse}):
        groups[f"kind={kind}"] = metrics([r for r in results if r.kind == kind])
    # must-refuse questions by why they must be refused (out of scope, false premise …)
    for category in sorted({r.kind for r in results if r.must_refuse}):
        groups[f"refuse={category}"] = metrics([r for r in results if r.kind == category])
    return {
        "configuration": configuration,
        "groups": groups,
        "worst": [asdict(r) for r in worst(results)],
        "results": [asdict(r) for r in results],
    }


def write(
    report: dict[str, Any],
    results: Sequence[Result],
    out_root: Path = REPORTS,
    markdown: str | None = None,
) -> Path:
    out_dir = out_root / datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "answers.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    (out_dir / "answers.md").write_text(markdown or to_markdown(report), encoding="utf-8")
    plot(report, results, out_dir)
    return out_dir


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--split", choices=["dev"])
    parser.add_argument("--limit", type=int, help="at most N questions per dataset")
    parser.add_argument("--data-dir", type=Path, default=Path("data/eval"))
    args = parser.parse_args(argv)
    kb = build_eval_index(args.data_dir)
    answerer = Answerer(kb, ConversationStore(make_engine("sqlite://")))
    configuration = "hybrid retrieval + extractive generator"
    results = run(lambda q: answerer.ask(q), args.split, args.limit)
    report = build_report(results, configuration)
    out_dir = write(report, results)
    print(to_markdown(report))
    print(f"report: {out_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
