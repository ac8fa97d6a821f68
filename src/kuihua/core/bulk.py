"""Inserting many rows whose ids nobody needs back (bills, ledger legs, allocations,
audit rows).

`insert_rows` is `bulk_create` without a model instance per row: on SQLite one
prepared INSERT run with many rows of parameters (executemany), on PostgreSQL INSERTs
of many rows each; each value prepared by its field as `bulk_create` prepares it.
Like `bulk_create` it sends no signals and calls no `save()`; unlike it, it fills no
`auto_now_add` field (pass the value) and returns nothing. At tens of thousands of
rows it is several times faster: `bulk_create` spends most of its time building and
compiling, not in the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connections, models, router

PARAMS_PER_STATEMENT = 20_000


def insert_rows(
    model, fields: Sequence[str], rows: Iterable[Sequence], *, ignore_conflicts: bool = False
) -> None:
    """INSERT `rows` (tuples of the values of `fields`, by name or attname) into `model`'s
    table; with `ignore_conflicts`, a row that breaks a unique constraint is skipped
    (ON CONFLICT DO NOTHING, on SQLite and PostgreSQL alike)."""
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in columns)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    if ignore_conflicts:
        sql += " ON CONFLICT DO NOTHING"
    # Integers, texts and keys to integer ids go as they are; the rest (dates, times,
    # JSON, decimals) as their field prepares them.
    plain = [_is_plain(f) for f in columns]
    prepared = [
        [
            value if is_plain else f.get_db_prep_save(value, connection)
            for f, is_plain, value in zip(columns, plain, row, strict=True)
        ]
        for row in rows
    ]
    if not prepared:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # SQLite runs one prepared statement row after row in C: the fastest way in.
            cursor.executemany(sql, prepared)
            return
        # PostgreSQL: many rows to a statement (a round trip per row costs more).
        one = f"({', '.join(['%s'] * len(columns))})"
        size = max(1, PARAMS_PER_STATEMENT // len(columns))
        for first in range(0, len(prepared), size):
            batch = prepared[first : first + size]
            cursor.execute(
                sql.replace(f"VALUES {one}", "VALUES " + ", ".join([one] * len(batch)), 1),
                [value for row in batch for value in row],
            )


def _is_plain(field) -> bool:
    if field.is_relation:
        field = field.target_field
    return type(field) in PLAIN


PLAIN = {
    models.AutoField,
    models.BigAutoField,
    models.IntegerField,
    models.BigIntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.SmallIntegerField,
    models.CharField,
    models.TextField,
}
