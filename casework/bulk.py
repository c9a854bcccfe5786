"""Fast bulk inserts for the sweep's rungs, notices and audit events (issue 18).

On PostgreSQL, COPY: the rows stream in one command, without the ORM compiling a multi-row INSERT and psycopg
quoting every value into it (for 1,000 due clocks that was most of a 3-second sweep). Ids that callers need back
(a notice's id goes to the e-mail task) are taken from the table's sequence first, in one query. Elsewhere
(SQLite in development and tests) it is the ORM's bulk_create. Same rows, same defaults, same triggers either way.
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connection, connections, models


def _pk_sequence(cur, model) -> str:
    cur.execute("SELECT pg_get_serial_sequence(%s, %s)", [model._meta.db_table, model._meta.pk.column])
    return cur.fetchone()[0]


def take_ids(cur, model, n: int) -> list[int]:
    cur.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [_pk_sequence(cur, model), n])
    return sorted(row[0] for row in cur.fetchall())


COPY_FROM = 20  # fewer rows: one multi-row INSERT is as quick, and one round trip fewer


def use_copy(n: int) -> bool:
    return connection.vendor == "postgresql" and n >= COPY_FROM


_PLAIN = (models.IntegerField, models.BooleanField, models.CharField, models.TextField, models.ForeignKey)


def _plain(field) -> bool:
    """Whether the attribute's value goes to PostgreSQL as it is (no adapter, no pre_save): integers, booleans,
    text, foreign keys, and datetimes that are not auto_now. JSON, IP addresses, decimals take the field's way."""
    if isinstance(field, models.DateTimeField):
        return not (field.auto_now or field.auto_now_add)
    return isinstance(field, _PLAIN) and not isinstance(field, models.GenericIPAddressField)


def insert(model: type[models.Model], objs: list, *, with_ids: bool = False) -> list:
    """Insert unsaved instances of `model`; with `with_ids`, their pk is set. Returns `objs`."""
    if not objs:
        return objs
    if not use_copy(len(objs)):
        return model.objects.bulk_create(objs)
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    with connection.cursor() as cur:
        if with_ids:
            for obj, pk in zip(objs, take_ids(cur, model, len(objs)), strict=True):
                obj.pk = pk
            fields = [model._meta.pk, *fields]
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        with cur.cursor.copy(f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN") as copy:
            conn = connections[DEFAULT_DB_ALIAS]  # the object itself: the proxy costs an attribute lookup per value
            plain = [_plain(f) for f in fields]
            for obj in objs:
                copy.write_row([getattr(obj, f.attname) if fast else f.get_db_prep_save(f.pre_save(obj, True), conn)
                                for f, fast in zip(fields, plain, strict=True)])
    for obj in objs:
        obj._state.adding, obj._state.db = False, connection.alias
    return objs


def _constant(field, now):
    """The value a field not named by `insert_rows` gets, the same for every row of the batch."""
    if isinstance(field, models.DateTimeField) and (field.auto_now or field.auto_now_add):
        return now
    return field.get_default()


def insert_rows(model: type[models.Model], columns: tuple[str, ...], rows: list[tuple], *,
                with_ids: bool = False) -> list[int]:
    """Insert rows given as tuples of plain values (integers, text, booleans, datetimes) for the attributes named
    in `columns` (attnames: `clock_id`, not `clock`), without building a model instance per row on PostgreSQL
    (for a sweep's thousands of rungs and notices, a large share of its Python time). A field not named gets its
    default (once for the batch: a callable default is called once; auto_now fields get one `now`).
    With `with_ids`, returns the new rows' ids in row order; otherwise []."""
    if not rows:
        return []
    from django.utils import timezone

    if not use_copy(len(rows)):
        objs = model.objects.bulk_create([model(**dict(zip(columns, row, strict=True))) for row in rows])
        return [obj.pk for obj in objs] if with_ids else []
    named = set(columns)
    now = timezone.now()
    rest = [f for f in model._meta.concrete_fields if not f.primary_key and f.attname not in named]
    conn = connections[DEFAULT_DB_ALIAS]
    tail = tuple(f.get_db_prep_save(_constant(f, now), conn) for f in rest)
    names = [model._meta.get_field(c).column for c in columns]  # get_field knows attnames too
    with connection.cursor() as cur:
        ids = take_ids(cur, model, len(rows)) if with_ids else []
        if with_ids:
            names = [model._meta.pk.column, *names]
        quoted = ", ".join(connection.ops.quote_name(c) for c in (*names, *(f.column for f in rest)))
        with cur.cursor.copy(f"COPY {connection.ops.quote_name(model._meta.db_table)} ({quoted}) FROM STDIN") as copy:
            if with_ids:
                for pk, row in zip(ids, rows, strict=True):
                    copy.write_row((pk, *row, *tail))
            else:
                for row in rows:
                    copy.write_row((*row, *tail))
    return ids
