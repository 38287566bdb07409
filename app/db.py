"""Database plumbing: the declarative base, engine and session factories, shared column types.

One engine per process, one session per request (see ``get_session``); transactions are explicit:
routes call ``session.commit()`` after the service has done its work.
"""

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from fastapi import Request
from sqlalchemy import BigInteger, DateTime, Engine, MetaData, create_engine, event
from sqlalchemy import Enum as SAEnum
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

# Stable constraint names so that migrations can refer to (and drop) them on both databases.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always returned timezone-aware.

    SQLite has no time zones and hands back naive values; without this, comparisons between
    stored and fresh timestamps would break on one database and not the other.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware datetimes")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# Money in öre. 64-bit: the largest Swedish sums (a national allocation) fit with room to spare.
Money = BigInteger


def utcnow() -> datetime:
    return datetime.now(UTC)


READ_ONLY = "bygd_read_only"


def read_only(session: Session) -> None:
    """Start the session's next transaction as a reader (see ``_configure_sqlite``); the caller
    must not write in it. On PostgreSQL readers never block writers anyway."""
    session.rollback()
    session.connection(execution_options={READ_ONLY: True})


def _configure_sqlite(engine: Engine) -> None:
    """Make pysqlite behave transactionally and take the write lock up front.

    pysqlite's own implicit BEGIN comes late (before the first INSERT/UPDATE) and breaks
    SAVEPOINTs, so we switch it off and emit BEGIN ourselves (SQLAlchemy's documented recipe).
    BEGIN IMMEDIATE takes SQLite's single write lock when the transaction starts: a budget check
    followed by a write is then atomic, and two writers never deadlock on a lock upgrade.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        # SQLite's own lower() only knows ASCII: "SMÅ" would not match a search for "små".
        dbapi_connection.create_function(
            "lower", 1, lambda value: value.lower() if isinstance(value, str) else value,
            deterministic=True,
        )  # fmt: skip
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A long read (an export) asks for a plain BEGIN: under WAL it reads a snapshot and
        # never holds the write lock that every other transaction takes up front.
        if connection.get_execution_options().get(READ_ONLY):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine for either supported database (SQLite file or PostgreSQL)."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def make_session_factory(engine_or_connection: Any, **kwargs: Any) -> sessionmaker[Session]:
    return sessionmaker(bind=engine_or_connection, expire_on_commit=False, **kwargs)


def get_session(request: Request) -> Iterator[Session]:
    """FastAPI dependency: one session per request, rolled back unless the route committed."""
    session = request.app.state.session_factory()
    try:
        yield session
    finally:
        session.close()


def enum_column_type(enum_cls: type[Any], name: str) -> SAEnum:
    """A portable enum: VARCHAR plus a CHECK constraint, storing the member's value.

    Native PostgreSQL enums are avoided on purpose: adding a value would need special migration
    handling on one database only.
    """
    return SAEnum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )
