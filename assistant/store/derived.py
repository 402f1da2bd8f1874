"""Files derived from the store or from fixed texts, kept in ``<data_dir>/derived`` so a new
process loads them instead of rebuilding them (the BM25 index, the vectors of the off-topic
subjects and of the gap requirements).

Each file is named by a digest of everything it was made from (the store's write generation,
the engine, the texts), so a stale file is never read: a changed input is a new name. Writes go
to a temporary file first and are renamed into place, so a reader never sees half a file and
two processes writing the same name at once both leave a whole one. Every failure to read or
write falls back to computing the value: these files are a cache, never the source of truth.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

KEEP_PER_KIND = 2  # older ones are deleted: BM25 takes 1.9 MB at 734 chunks, ~100x that at 100k


def digest(*parts: str | Iterable[str]) -> str:
    """A short stable name for the inputs (strings, or sequences of strings, in order)."""
    sha = hashlib.sha256()
    for part in parts:
        for text in [part] if isinstance(part, str) else part:
            sha.update(text.encode("utf-8"))
            sha.update(b"\x00")
        sha.update(b"\x01")
    return sha.hexdigest()[:24]


class DerivedFiles:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path(self, kind: str, key: str) -> Path:
        return self.directory / f"{kind}-{key}.npz"

    def load(self, kind: str, key: str) -> dict[str, np.ndarray] | None:
        path = self.path(kind, key)
        try:
            with np.load(path, allow_pickle=False) as data:
                return {name: data[name] for name in data.files}
        except FileNotFoundError:
            return None
        except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:  # damaged
            log.warning("ignoring unreadable derived file %s: %s", path, exc)
            return None

    def save(self, kind: str, key: str, arrays: dict[str, np.ndarray]) -> None:
        temporary: str | None = None
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
            with os.fdopen(handle, "wb") as out:
                np.savez(out, **arrays)  # type: ignore[arg-type]
            os.chmod(temporary, 0o644)  # mkstemp's 0600 would hide it from other users
            os.replace(temporary, self.path(kind, key))
        except OSError as exc:  # a read-only data dir: the next process computes it again
            log.warning("could not keep %s in %s: %s", kind, self.directory, exc)
            if temporary:
                Path(temporary).unlink(missing_ok=True)
            return
        self._prune(kind)

    def _prune(self, kind: str) -> None:
        """Keep the newest few files of a kind; a reader holding an older one keeps its data
        (it was read whole), and a missing file is only a cache miss."""
        files = sorted(self.directory.glob(f"{kind}-*.npz"), key=_modified, reverse=True)
        for stale in files[KEEP_PER_KIND:]:
            stale.unlink(missing_ok=True)

    def vectors(self, kind: str, key: str, compute: Callable[[], np.ndarray]) -> np.ndarray:
        """``compute()``'s vectors, from the file named ``key`` when a process made them."""
        found = self.load(kind, key)
        if found is not None and "vectors" in found:
            return found["vectors"]
        vectors = np.asarray(compute(), dtype=np.float32)
        self.save(kind, key, {"vectors": vectors})
        return vectors


def _modified(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:  # pruned by another process meanwhile
        return 0.0
