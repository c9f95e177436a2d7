"""Binary COPY in and out of PostgreSQL, built and read by numpy instead of row by row."""

from __future__ import annotations

import io
import struct
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from psycopg2.extensions import cursor as Cursor

COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + b"\x00" * 8
COPY_TRAILER = b"\xff\xff"


def copy_in(cur: Cursor, table: str, rows: np.ndarray) -> None:
    """COPY rows into table's integer columns, in binary built by numpy rather than row by row."""
    width = rows.shape[1]
    layout = np.dtype(
        [("n", ">i2")] + [f for i in range(width) for f in ((f"l{i}", ">i4"), (f"v{i}", ">i4"))]
    )
    out = np.zeros(len(rows), dtype=layout)
    out["n"] = width
    for i in range(width):
        out[f"l{i}"], out[f"v{i}"] = 4, rows[:, i]
    cur.copy_expert(
        f"COPY {table} FROM STDIN WITH (FORMAT binary)",
        io.BytesIO(COPY_HEADER + out.tobytes() + COPY_TRAILER),
    )


def copy_rows(cur: Cursor, target: str, rows: Iterable[Sequence[bytes]]) -> None:
    """COPY rows of already binary-encoded fields into target ("table (columns)")."""
    parts = [COPY_HEADER]
    for row in rows:
        parts.append(struct.pack(">h", len(row)))
        for field in row:
            parts += (struct.pack(">i", len(field)), field)
    parts.append(COPY_TRAILER)
    cur.copy_expert(f"COPY {target} FROM STDIN WITH (FORMAT binary)", io.BytesIO(b"".join(parts)))


def copy_out(
    cur: Cursor,
    query: str,
    fields: Sequence[tuple[str, str]],
    params: tuple[Any, ...] | dict[str, Any] | None = None,
) -> np.ndarray:
    """Rows of a query with fixed-width, non-null columns, read by binary COPY straight into numpy."""
    buf = io.BytesIO()
    sql = cur.mogrify(query, params).decode() if params else query
    cur.copy_expert(f"COPY ({sql}) TO STDOUT WITH (FORMAT binary)", buf)
    layout = np.dtype(
        [("n", ">i2")] + [f for i, field in enumerate(fields) for f in ((f"l{i}", ">i4"), field)]
    )
    data = buf.getvalue()[len(COPY_HEADER) : -len(COPY_TRAILER)]
    if len(data) % layout.itemsize:
        raise ValueError(f"COPY returned rows that are not {layout.itemsize} bytes wide")
    rows = np.frombuffer(data, dtype=layout)
    for i, (_, kind) in enumerate(fields):
        if len(rows) and (rows[f"l{i}"] != np.dtype(kind).itemsize).any():
            raise ValueError(f"column {i} of the COPY is NULL or not {np.dtype(kind).itemsize} bytes wide")
    return rows
