"""Alembic's entry point; ``assistant.db.engine.upgrade`` hands it an open connection (the
`alembic` command line is not needed to migrate: every process does it on start)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection

from assistant.db.tables import metadata


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:  # `alembic -x url=… upgrade head`
        url = context.get_x_argument(as_dictionary=True)["url"]
        with create_engine(url).begin() as connection:
            _migrate(connection)
    else:
        _migrate(connection)


def _migrate(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


run()
