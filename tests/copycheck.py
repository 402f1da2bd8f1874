"""Is a text in our own words? A run of ``OVERLAP`` characters shared with an official text
(../shared/regulations) or the seed article means it was copied."""

from __future__ import annotations

import re
from functools import cache

from tests.conftest import REGULATIONS_DIR

SEED_DIR = REGULATIONS_DIR.parent / "seed"
OVERLAP = 15  # characters; a shared run this long means copied text
_TITLE_RE = re.compile(r"《[^》]{1,60}》")  # names of laws may be quoted in full


def flatten(text: str) -> str:
    return re.sub(r"\s", "", _TITLE_RE.sub("《》", text.replace("中华人民共和国", "")))


@cache
def official_shingles() -> frozenset[str]:
    shingles: set[str] = set()
    for folder in (REGULATIONS_DIR, SEED_DIR):
        for path in sorted(folder.glob("*")):
            if path.suffix in (".md", ".txt") and path.name != "README.md":
                body = flatten(path.read_text(encoding="utf-8").split("<!-- INFO END -->")[-1])
                shingles.update(body[i : i + OVERLAP] for i in range(len(body) - OVERLAP + 1))
    return frozenset(shingles)


def copied_runs(text: str) -> set[str]:
    flat = flatten(text)
    return {flat[i : i + OVERLAP] for i in range(len(flat) - OVERLAP + 1)} & official_shingles()
