"""Hot-path Core statements run straight through the database driver.

A door scan and a registration each run a few statements that SQLAlchemy compiled long ago, yet
every execution still builds an execution context and a result object, fires the engine's events,
and makes psycopg describe every selected column. Measured in process on the door's ticket lookup
(a 22-column join, bench/checkin.py's data): 22 µs per execution through `Connection.execute`
against 5 µs through the driver on SQLite, and 94 against 20 µs of CPU on PostgreSQL.

`DriverStatement` keeps the statement in Core (one schema-aware definition for both databases)
and keeps SQLAlchemy's own type conversion (each bind's and each column's processor for the
dialect, taken once from the compiled form), and skips the rest. It runs on the connection the
caller's transaction already holds, so it is part of that transaction exactly like
`connection.execute(statement)`; driver errors come out as SQLAlchemy's (`IntegrityError`,
`OperationalError`), and a dropped connection is invalidated, as SQLAlchemy would. Only for
fixed statements: no expanding `IN`, no literal rendering, no SQL-expression column defaults.
"""
from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass
from typing import Any, Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .database import needs_transaction


@dataclass(frozen=True)
class _Compiled:
    sql: str
    positional: tuple[str, ...] | None  # bind names in order for qmark drivers; None for named ones
    defaults: dict[str, Any]
    computed: tuple[tuple[str, Callable], ...]  # Python-side default functions (SQLAlchemy wraps them to take a context)
    bind_processors: tuple[tuple[str, Callable], ...]
    row_type: type | None
    result_processors: tuple[Callable | None, ...]
    needs_begin: bool


@dataclass(frozen=True)
class DriverResult:
    rows: list
    rowcount: int

    def first(self):
        return self.rows[0] if self.rows else None

    def scalar(self):
        return self.rows[0][0] if self.rows else None


class DriverStatement:
    """A Core statement executed through the driver; see the module's docstring.

    `one_statement`: on PostgreSQL the statement is a whole transaction by itself (no BEGIN first
    when none is open), like the `ONE_STATEMENT` execution option."""

    def __init__(self, statement, *, one_statement: bool = False) -> None:
        self.statement = statement
        self.one_statement = one_statement
        self._by_dialect: dict[tuple[str, str], _Compiled] = {}

    def _compile(self, dialect) -> _Compiled:
        compiled = self.statement.compile(dialect=dialect)
        if compiled.literal_execute_params or compiled.post_compile_params:
            raise ValueError("DriverStatement takes fixed statements only (no expanding or literal binds)")
        # Columns the statement leaves to their Python-side default (`created_at`, `updated_at`'s
        # onupdate): a constant is sent like a fixed value, a function is called per execution.
        defaults, processors, computed = {}, [], []
        for column, default in [(c, c.default) for c in compiled.insert_prefetch] + [
                (c, c.onupdate) for c in compiled.update_prefetch]:
            if default is not None and default.is_scalar:
                defaults[column.key] = default.arg
            elif default is not None and default.is_callable:
                computed.append((column.key, default.arg))
            else:
                raise ValueError(f"DriverStatement: give {column.key} a value in the statement")
        for name, bind in compiled.binds.items():
            if bind.callable is not None:
                raise ValueError(f"DriverStatement: bind {name!r} has a callable value")
            if not bind.required and name not in defaults and all(name != key for key, _f in computed):
                defaults[name] = bind.value
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                processors.append((name, processor))
        columns = list(self.statement.exported_columns)  # a SELECT's columns, or RETURNING's
        # rename: an unnamed column (a scalar subquery in RETURNING) gets a positional name.
        row_type = namedtuple("DriverRow", [str(column.key) for column in columns], rename=True) if columns else None
        sql = str(compiled)
        return _Compiled(
            sql=sql,
            positional=tuple(compiled.positiontup) if dialect.positional else None,
            defaults=defaults,
            computed=tuple(computed),
            bind_processors=tuple(processors),
            row_type=row_type,
            result_processors=tuple(column.type.dialect_impl(dialect).result_processor(dialect, None)
                                    for column in columns),
            needs_begin=(dialect.name == "postgresql" and not self.one_statement and needs_transaction(sql)),
        )

    def execute(self, connection: Connection, params: dict[str, Any] | None = None) -> DriverResult:
        dialect = connection.dialect
        key = (dialect.name, dialect.driver)
        compiled = self._by_dialect.get(key)
        if compiled is None:
            compiled = self._by_dialect[key] = self._compile(dialect)
        values = {**compiled.defaults, **params} if params else dict(compiled.defaults)
        for name, default in compiled.computed:
            if name not in values:
                values[name] = default(None)
        for name, process in compiled.bind_processors:
            values[name] = process(values[name])
        bound = tuple(values[name] for name in compiled.positional) if compiled.positional is not None else values
        dbapi_connection = connection.connection.dbapi_connection
        cursor = dbapi_connection.cursor()
        try:
            if compiled.needs_begin and _postgresql_idle(dbapi_connection):
                cursor.execute("BEGIN")
            cursor.execute(compiled.sql, bound)
            raw_rows = cursor.fetchall() if compiled.row_type is not None else []
            rowcount = cursor.rowcount
        except dialect.loaded_dbapi.Error as err:
            invalidated = dialect.is_disconnect(err, dbapi_connection, cursor)
            if invalidated:
                connection.invalidate(err)
            raise sa.exc.DBAPIError.instance(compiled.sql, bound, err, dialect.loaded_dbapi.Error,
                                             connection_invalidated=invalidated, dialect=dialect) from err
        finally:
            cursor.close()
        return DriverResult(self._rows(compiled, raw_rows), rowcount)

    @staticmethod
    def _rows(compiled: _Compiled, raw_rows) -> list:
        if not raw_rows:
            return []
        make, processors = compiled.row_type._make, compiled.result_processors
        return [make([process(value) if process is not None else value
                      for process, value in zip(processors, raw)]) for raw in raw_rows]


def _postgresql_idle(dbapi_connection) -> bool:
    return dbapi_connection.info.transaction_status == _PG_IDLE


try:
    from psycopg.pq import TransactionStatus

    _PG_IDLE = TransactionStatus.IDLE
except ImportError:  # pragma: no cover - psycopg is a dependency; SQLite never asks
    _PG_IDLE = None
