"""Alembic environment: run by `clms init` (clms.adapters.db.migrate), never by hand."""

from alembic import context
from sqlmodel import SQLModel

from clms.adapters.db import tables  # noqa: F401  (registers the tables on the metadata)
from clms.adapters.db.engine import make_engine

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
