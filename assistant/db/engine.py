"""The database engine: SQLite in the data dir by default, or any SQLAlchemy URL
(PostgreSQL when several API processes share it). Opening it migrates the schema to the
newest revision, so an older database is upgraded in place and nothing is lost."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine

from assistant.settings import Settings

MIGRATIONS = Path(__file__).parent / "migrations"
_MIGRATION_LOCK = 7_271_901  # any fixed number: PostgreSQL's advisory lock for migrating


def default_database_url(data_dir: Path) -> str:
    return f"sqlite:///{Path(data_dir).resolve() / 'certguide.db'}"


def database_engine(settings: Settings) -> Engine:
    """The process's one database (conversations, access, quizzes): the configured URL, or
    SQLite in the data dir."""
    return make_engine(settings.database_url or default_database_url(settings.data_dir))


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, pool_pre_ping=not url.startswith("sqlite"))
    if url.startswith("sqlite"):

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection: Any, _: Any) -> None:
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()

    upgrade(engine)
    return engine


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate to ``revision``. Two processes starting at once against one server database
    take turns (an advisory lock), so neither sees the other's half-made tables."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
