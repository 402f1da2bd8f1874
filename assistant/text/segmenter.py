"""jieba's word segmenter, set up once per process: its dictionary cache (built on first use,
about 1 s) lives in the data dir rather than the shared /tmp, where another user's file may
be stale or unwritable, and its start-up chatter stays off the terminal."""

from __future__ import annotations

import logging
from pathlib import Path


def use_cache_dir(directory: Path) -> None:
    """Takes effect only before jieba's first use; a directory that cannot be made leaves
    jieba's default in place."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    if jieba.dt.initialized:
        return
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        return
    jieba.dt.tmp_dir = str(directory)
