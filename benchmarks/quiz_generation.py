"""Quiz generation: questions kept / generated, and the time for a quiz (50 questions; 30
from the 50 passages of clauses 7-8, which no longer yield 50 distinct sentences), next to
the time to just read the selected passages from the store (the floor: generation has to
read them too, then extract facts, build distractors and validate every question).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from assistant.embedding.encoder import get_encoder
from assistant.knowledge import KnowledgeBase
from assistant.quiz import Difficulty, QuestionType, Selection, make_quiz
from assistant.quiz.sources import select_passages
from assistant.settings import PROJECT_ROOT, get_settings
from benchmarks.common import save

N = 50
SEEDS = range(1, 6)
REGULATIONS = PROJECT_ROOT.parent / "shared" / "regulations"
SELECTIONS = {
    "all sources": (Selection(), N),
    "procedures": (Selection(kinds=["procedure"]), N),
    "ISO 9001 clauses 7-8": (Selection(ref="7-8"), 30),
}


def main() -> int:
    settings = get_settings()
    paths = [settings.corpus_dir]
    if REGULATIONS.is_dir():
        paths += sorted(p for p in REGULATIONS.glob("*.md") if p.name != "README.md")
    with tempfile.TemporaryDirectory() as tmp:
        kb = KnowledgeBase(settings.model_copy(update={"data_dir": Path(tmp)}), get_encoder())
        kb.ingest(paths, progress=False)
        chunks = kb.store.count()
        make_quiz(kb, Selection(), N, seed=0)  # warm-up: jieba, regexes, Chroma caches
        result: dict[str, object] = {"chunks": chunks, "questions": N, "seeds": len(SEEDS)}
        print(f"index: {chunks} chunks; {N} questions of all four types x {len(SEEDS)} seeds")
        for name, (selection, n) in SELECTIONS.items():
            read_s, make_s = [], []
            kept = generated = dropped = 0
            for difficulty in Difficulty:
                for seed in SEEDS:
                    start = time.perf_counter()
                    passages = select_passages(kb.store, selection)
                    read_s.append(time.perf_counter() - start)
                    start = time.perf_counter()
                    build = make_quiz(kb, selection, n, list(QuestionType), seed, difficulty)
                    make_s.append(time.perf_counter() - start)
                    kept += build.report.kept
                    generated += build.report.generated
                    dropped += build.report.dropped
            read_ms = statistics.median(read_s) * 1000
            make_ms = statistics.median(make_s) * 1000
            result[name] = {"passages": len(passages), "questions": n, "kept": kept,
                            "generated": generated, "dropped": dropped,
                            "read_passages_p50_ms": round(read_ms, 1),
                            "make_quiz_p50_ms": round(make_ms, 1),
                            "ratio": round(make_ms / read_ms, 2)}  # fmt: skip
            print(f"{name:22} {len(passages):4} passages  kept {kept}/{generated} "
                  f"(dropped {dropped})  read passages p50 {read_ms:.0f} ms  "
                  f"{n} questions p50 {make_ms:.0f} ms ({make_ms / read_ms:.1f}x)")  # fmt: skip
    print(f"saved {save('quiz_generation', result)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
