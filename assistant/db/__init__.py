"""One database for conversations, access and quizzes: tables, engine, migrations."""

from assistant.db.engine import database_engine, default_database_url, make_engine

__all__ = ["database_engine", "default_database_url", "make_engine"]
