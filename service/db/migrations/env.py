"""Alembic environment: uses the service's connection when run programmatically."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from service.db.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate the connection handed over by Database.upgrade, or ``-x url=...``."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    # Command line: alembic -c service/db/alembic.ini -x url=<database url> upgrade head
    from service.db.session import make_engine

    url = context.get_x_argument(as_dictionary=True).get("url", "")
    if not url:
        raise SystemExit("give the database: alembic -c service/db/alembic.ini -x url=... upgrade")
    engine = make_engine(url)
    with engine.begin() as conn:
        _run(conn)


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run against a database")
run_migrations_online()
