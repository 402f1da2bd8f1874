"""BM25 over Chinese character bigrams (plus whole ASCII tokens such as 7.1.5, HR-QP-05, 8D).

Built from the chunk store, so it is derived state: every API process can rebuild its own
copy from a shared Chroma server, and keeps it as arrays (``to_arrays``) in its data dir so
the next process loads it instead. Scoring is a sparse matrix product, so a query over 100k
chunks stays in the low milliseconds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse

from assistant.schema import chunk_version

_CJK_RUN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_ASCII_TOKEN_RE = re.compile(r"[A-Za-z0-9]+(?:[.\-§][A-Za-z0-9]+)*")


def tokenize(text: str) -> list[str]:
    tokens: list[str] = []
    for run in _CJK_RUN_RE.findall(text):
        if len(run) == 1:
            tokens.append(run)
        else:
            tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
    for token in _ASCII_TOKEN_RE.findall(text):
        lowered = token.lower()
        tokens.append(lowered)
        if "-" in lowered or "." in lowered:
            tokens.extend(p for p in re.split(r"[.\-]", lowered) if len(p) > 1)
    return tokens


@dataclass
class LexicalHit:
    chunk_id: str
    score: float


class BM25Index:
    def __init__(self, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1 = k1
        self.b = b
        self.ids: list[str] = []
        self.vocabulary: dict[str, int] = {}
        self.matrix: sparse.csc_matrix = sparse.csc_matrix((0, 0), dtype=np.float32)
        self.idf: np.ndarray = np.zeros(0, dtype=np.float32)
        self.fields: dict[str, np.ndarray] = {}
        self._coded: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # see ``_field_codes``
        self._rows: dict[str, int] | None = None  # chunk id -> row, made when first asked
        self.codes: frozenset[str] = frozenset()
        self.gapped: set[str] = set()  # 「厚度」 in the text puts 「缘度」 here (绝缘厚度)
        self.versions: frozenset[str] = frozenset()

    def shows(self, chunk_id: str) -> bool:
        """Whether a chunk belongs to a document version this index was built from: the
        committed ones, so a dense hit on a chunk no record names (a killed write's) is not."""
        return chunk_version(chunk_id) in self.versions

    def __len__(self) -> int:
        return len(self.ids)

    def row(self, chunk_id: str) -> int | None:
        """The chunk's row (None: not in this index, i.e. not committed when it was built)."""
        if self._rows is None:
            self._rows = {chunk_id: row for row, chunk_id in enumerate(self.ids)}
        return self._rows.get(chunk_id)

    def term_weights(self, terms: Iterable[str]) -> dict[str, float]:
        """IDF of each indexed term (terms the index lacks match no passage)."""
        return {
            term: float(self.idf[self.vocabulary[term]])
            for term in terms
            if term in self.vocabulary
        }

    def misspelt_terms(self, text: str) -> set[str]:
        """Unknown bigrams explained by one mistyped character: in 「绝缘后度」 neither 缘后 nor
        后度 is indexed, but the sources have 缘?度 (绝缘厚度), so 后 stands for 厚. Only a
        character inside a run whose neighbours the sources put two apart, so a real unknown
        word (驾驶证, 火锅) stays unknown."""
        explained: set[str] = set()
        for run in _CJK_RUN_RE.findall(text):
            for i in range(1, len(run) - 1):
                left, right = run[i - 1 : i + 1], run[i : i + 2]
                unknown = [t for t in (left, right) if t not in self.vocabulary]
                if unknown and run[i - 1] + run[i + 1] in self.gapped:
                    explained.update(unknown)
        return explained

    @classmethod
    def build(
        cls,
        ids: Sequence[str],
        texts: Iterable[str],
        metadatas: Sequence[dict[str, Any]],
        filter_fields: Sequence[str] = ("kind", "org", "doc_id"),
    ) -> BM25Index:
        index = cls()
        index.ids = list(ids)
        index.versions = frozenset(map(chunk_version, index.ids))
        vocabulary = index.vocabulary
        lengths = np.zeros(len(index.ids), dtype=np.float32)
        term_parts: list[np.ndarray] = []
        count_parts: list[np.ndarray] = []
        for row, text in enumerate(texts):
            term_ids = np.fromiter(
                (vocabulary.setdefault(t, len(vocabulary)) for t in tokenize(text)), dtype=np.int64
            )
            lengths[row] = term_ids.size
            for run in _CJK_RUN_RE.findall(text):
                index.gapped.update(run[i] + run[i + 2] for i in range(len(run) - 2))
            unique, counts = np.unique(term_ids, return_counts=True)
            term_parts.append(unique)
            count_parts.append(counts)
        n_docs, n_terms = len(index.ids), len(vocabulary)
        rows = np.repeat(np.arange(n_docs), [part.size for part in term_parts])
        cols = np.concatenate(term_parts) if term_parts else np.zeros(0, dtype=np.int64)
        counts = (
            np.concatenate(count_parts).astype(np.float32)
            if count_parts
            else np.zeros(0, dtype=np.float32)
        )
        df = np.bincount(cols, minlength=n_terms).astype(np.float32)
        index.idf = np.log1p((n_docs - df + 0.5) / (df + 0.5)).astype(np.float32)
        avg_length = float(lengths.mean()) if n_docs else 1.0
        norm = index.k1 * (1 - index.b + index.b * lengths / max(avg_length, 1e-6))
        # BM25 weight per (doc, term), precomputed: idf * tf*(k1+1) / (tf + norm_doc)
        weights = index.idf[cols] * counts * (index.k1 + 1) / (counts + norm[rows])
        index.matrix = sparse.csc_matrix(
            (weights.astype(np.float32), (rows, cols)), shape=(n_docs, n_terms)
        )
        for name in filter_fields:
            index.fields[name] = np.asarray([str(m.get(name, "")) for m in metadatas], dtype=object)
        index.codes = frozenset(str(m.get("code")) for m in metadatas if m.get("code"))
        return index

    FORMAT = "bm25-v2"  # a change to what is stored (or how it is built) changes this

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Plain arrays (no pickles) that ``from_arrays`` turns back into this index."""
        arrays = {
            "params": np.asarray([self.k1, self.b], dtype=np.float64),
            "ids": np.asarray(self.ids, dtype=str),
            "vocabulary": np.asarray(
                sorted(self.vocabulary, key=self.vocabulary.__getitem__), dtype=str
            ),
            "data": self.matrix.data,
            "indices": self.matrix.indices,
            "indptr": self.matrix.indptr,
            "shape": np.asarray(self.matrix.shape, dtype=np.int64),
            "idf": self.idf,
            "codes": np.asarray(sorted(self.codes), dtype=str),
            "gapped": np.asarray(sorted(self.gapped), dtype=str),
        }
        arrays.update({f"field:{name}": column.astype(str) for name, column in self.fields.items()})
        return arrays

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray]) -> BM25Index:
        k1, b = (float(v) for v in arrays["params"])
        index = cls(k1, b)
        index.ids = arrays["ids"].tolist()
        index.versions = frozenset(map(chunk_version, index.ids))
        index.vocabulary = {term: i for i, term in enumerate(arrays["vocabulary"].tolist())}
        shape = tuple(int(n) for n in arrays["shape"])
        index.matrix = sparse.csc_matrix(
            (arrays["data"], arrays["indices"], arrays["indptr"]), shape=shape
        )
        index.idf = arrays["idf"]
        index.codes = frozenset(arrays["codes"].tolist())
        index.gapped = set(arrays["gapped"].tolist())
        index.fields = {
            name.removeprefix("field:"): column.astype(object)
            for name, column in arrays.items()
            if name.startswith("field:")
        }
        return index

    def _field_codes(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """A filter field as its distinct values and each chunk's index into them: every
        search is scoped by org, and comparing 100k strings costs ~5 ms a field where
        looking up small integers costs 0.2 ms."""
        if name not in self._coded:
            column = self.fields.get(name)
            if column is None:
                raise KeyError(f"lexical index has no filter field {name!r}")
            values, codes = np.unique(column.astype(str), return_inverse=True)
            self._coded[name] = (values, codes)
        return self._coded[name]

    def mask(self, conditions: Mapping[str, Sequence[str]]) -> np.ndarray | None:
        selected: np.ndarray | None = None
        for name, wanted in conditions.items():
            if not wanted:
                continue
            values, codes = self._field_codes(name)
            keep = np.isin(values, list(wanted))[codes]
            selected = keep if selected is None else selected & keep
        return selected

    def search(
        self, query: str, n: int, conditions: Mapping[str, Sequence[str]] | None = None
    ) -> list[LexicalHit]:
        if not self.ids:
            return []
        cols = sorted({self.vocabulary[t] for t in tokenize(query) if t in self.vocabulary})
        if not cols:
            return []
        matrix = self.matrix
        spans = [(matrix.indptr[c], matrix.indptr[c + 1]) for c in cols]
        rows = np.concatenate([matrix.indices[a:b] for a, b in spans])
        weights = np.concatenate([matrix.data[a:b] for a, b in spans])
        scores = np.bincount(rows, weights=weights, minlength=len(self.ids))
        keep = self.mask(conditions or {})
        if keep is not None:
            scores = np.where(keep, scores, 0.0)
        candidates = np.flatnonzero(scores > 0)
        if candidates.size == 0:
            return []
        if candidates.size > n:
            top = candidates[np.argpartition(-scores[candidates], n - 1)[:n]]
        else:
            top = candidates
        ordered = top[np.argsort(-scores[top], kind="stable")]
        return [LexicalHit(self.ids[i], float(scores[i])) for i in ordered]
