"""Score the blind held-out split, each question asked as the person the writer had in mind.

    python -m evals.heldout [--data-dir data/eval-heldout]

The index holds the whole corpus (our procedures, both consulting clients, the official texts)
and every question is scoped the way the API scopes it: staff of huarui read huarui plus
public, a consultant reads the client they picked, a company the question names sets the
scope. So foreign citations count as wrong here, as they would for the user.

Every run is a scoring of the held-out split: count it under "Times scored" in
evals/datasets/heldout/README.md and in the README. Tune on dev, never on this.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.access import Org, Principal, Role, read_org_names
from assistant.answer.pipeline import Answerer
from assistant.answer.schema import Reply
from assistant.conversations import ConversationStore
from assistant.db import make_engine
from assistant.knowledge import KnowledgeBase
from assistant.scope import Scope, question_scope
from assistant.settings import PROJECT_ROOT, Settings, get_settings
from assistant.store.chroma_store import SearchFilter
from evals import answers, retrieval

HELDOUT = answers.DATASETS / "heldout"
SPLIT = "heldout"
FILES = (("answers.jsonl", False), ("answerable_pairs.jsonl", False), ("refusal.jsonl", True))
ORGS_FILE = PROJECT_ROOT / "corpus" / "orgs.json"


def load_items(name: str) -> list[dict[str, Any]]:
    """The usable items of one held-out file, marked split "heldout"."""
    return [{**item, "split": SPLIT} for item in answers.read_items(HELDOUT / name)]


def asker_scope(item: dict[str, Any], orgs: Sequence[Org], home_org: str) -> Scope:
    """Staff belong to the item's org; a consultant is assigned it and has it chosen."""
    role = Role(item.get("asker", Role.staff.value))
    principal = Principal(role.value, role, frozenset({item["org"]}))
    chosen = item["org"] if role is Role.consultant else None
    return question_scope(item["question"], principal, orgs, home_org, chosen)


class HeldoutRun:
    """One pass over the split: scoped retrieval ranks and scoped answers."""

    def __init__(self, kb: KnowledgeBase, settings: Settings) -> None:
        self.kb = kb
        self.home_org = settings.home_org
        self.orgs = [Org(id=i, name=n) for i, n in read_org_names(ORGS_FILE).items()]
        self.answerer = Answerer(kb, ConversationStore(make_engine("sqlite://")))

    def scoped(self, item: dict[str, Any]) -> SearchFilter:
        return SearchFilter(orgs=asker_scope(item, self.orgs, self.home_org).orgs)

    def ask(self, item: dict[str, Any]) -> Reply:
        return self.answerer.ask(str(item["question"]), filters=self.scoped(item))

    def ranks(self, items: Sequence[dict[str, Any]], k: int = 10) -> dict[str, dict[str, float]]:
        """R@1, R@5 and MRR per kind, over what the asker may read."""
        found: dict[str, list[int]] = {}
        for item in items:
            hits = self.kb.search(str(item["question"]), k=k, filters=self.scoped(item))
            expected = frozenset((e["doc_id"], e["ref"]) for e in item["expected"])
            rank = retrieval.first_relevant_rank([(h.doc_id, h.ref) for h in hits], expected)
            for group in ("all", f"kind={item.get('kind') or 'pair'}"):
                found.setdefault(group, []).append(rank)
        return {group: retrieval.summarise(ranks) for group, ranks in sorted(found.items())}

    def run(self) -> tuple[dict[str, Any], list[answers.Result]]:
        datasets = [(load_items(name), must_refuse) for name, must_refuse in FILES]
        answerable = [item for items, refuse in datasets if not refuse for item in items]
        results = answers.run_items(self.ask, datasets)
        report = answers.build_report(results, "held-out split, asked as each item's asker")
        report["retrieval"] = self.ranks(answerable)
        return report, results


def to_markdown(report: dict[str, Any]) -> str:
    lines = ["# Held-out retrieval (scoped as the asker)", "",
             "| group | n | R@1 | R@5 | MRR |", "|---|---|---|---|---|"]  # fmt: skip
    for group, values in report["retrieval"].items():
        lines.append(f"| {group} | {values['n']} | {values['recall@1']:.3f} | "
                     f"{values['recall@5']:.3f} | {values['mrr']:.3f} |")  # fmt: skip
    return "\n".join(lines) + "\n\n" + answers.to_markdown(report)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=Path("data/eval-heldout"))
    args = parser.parse_args(argv)
    settings = get_settings()
    kb = retrieval.build_eval_index(args.data_dir, settings, with_clients=True)
    report, results = HeldoutRun(kb, settings).run()
    out_dir = answers.write(report, results, markdown=to_markdown(report))
    print(to_markdown(report))
    print(f"report: {out_dir}")
    print("count this scoring under 'Times scored' in evals/datasets/heldout/README.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
