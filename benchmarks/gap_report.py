"""Gap report speed: the first report of a process, then each one after it, per sample client,
with its three exports (Markdown, xlsx, docx). Target: ≤ 5 s a client after the first.

Baseline in the same run: the report's retrieval alone (one search per requirement, with the
vectors the assessor prepared), so what the judging and the exports add shows.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from assistant.embedding.encoder import get_encoder
from assistant.gaps import FORMATS, GapAssessor
from assistant.knowledge import KnowledgeBase
from assistant.settings import get_settings
from benchmarks.common import save

CLIENTS = ("hengli", "jinglian")
ROUNDS = 3
TARGET_S = 5.0


def main() -> int:
    settings = get_settings()
    with tempfile.TemporaryDirectory() as tmp:
        kb = KnowledgeBase(settings.model_copy(update={"data_dir": Path(tmp)}), get_encoder())
        kb.ingest([settings.corpus_dir], progress=False)
        start = time.perf_counter()
        assessor = GapAssessor(kb)
        assessor.assess(CLIENTS[0])
        first_s = time.perf_counter() - start
        report_s: dict[str, list[float]] = {org: [] for org in CLIENTS}
        export_s: dict[str, list[float]] = {name: [] for name in FORMATS}
        retrieval_s: list[float] = []
        for _ in range(ROUNDS):
            for org in CLIENTS:
                start = time.perf_counter()
                report = assessor.assess(org)
                report_s[org].append(time.perf_counter() - start)
                for name, exporter in FORMATS.items():
                    start = time.perf_counter()
                    exporter.write(report, org)
                    export_s[name].append(time.perf_counter() - start)
                start = time.perf_counter()
                assessor.retrieve(org)
                retrieval_s.append(time.perf_counter() - start)
    median = {org: sorted(times)[len(times) // 2] for org, times in report_s.items()}
    exports = {name: sorted(times)[len(times) // 2] for name, times in export_s.items()}
    retrieval = sorted(retrieval_s)[len(retrieval_s) // 2]
    requirements = len(assessor.requirements)
    print(f"first report of the process (requirements prepared): {first_s:.2f} s")
    for org, seconds in median.items():
        ok = "OK" if seconds + sum(exports.values()) <= TARGET_S else "ABOVE TARGET"
        print(f"{org}: report {seconds:.2f} s + exports {sum(exports.values()):.2f} s "
              f"(target <= {TARGET_S} s: {ok})")  # fmt: skip
    print("exports: " + ", ".join(f"{n} {s * 1000:.0f} ms" for n, s in exports.items()))
    print(f"retrieval alone ({requirements} searches): {retrieval:.2f} s → the report is "
          f"{max(median.values()) / retrieval:.2f}x its retrieval")  # fmt: skip
    result = {
        "first_report_s": round(first_s, 2),
        "report_s": median,
        "export_s": exports,
        "retrieval_s": retrieval,
        "requirements": requirements,
    }
    print(f"saved {save('gap_report', result)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
