"""The PostgreSQL index refuses what is not its own and reads nothing it has not checked: clear
``IndexError_`` messages naming the location (password masked), never a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from backends import drop, location, require_postgres

from provenance.engine import build_index, scan
from provenance.errors import IndexError_
from provenance.index import open_index
from provenance.index.postgres_backend import split_url
from provenance.params import FingerprintParams
from provenance.rules import load_rules

SAMPLE = Path(__file__).resolve().parents[1] / "corpora" / "sample"


@pytest.fixture
def pg(tmp_path: Path) -> Iterator[str]:
    loc = location("postgres", tmp_path)
    yield loc
    drop(loc)


def _sql(loc: str, statement: str) -> None:
    import psycopg

    url, _ = split_url(loc)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(statement)


def test_missing_index_foreign_tables_and_bad_names_are_refused(pg: str) -> None:
    schema = split_url(pg)[1]
    with pytest.raises(IndexError_, match=r"no index in schema .*provenance index build"):
        open_index(pg, None)
    _sql(pg, f'CREATE SCHEMA "{schema}"; CREATE TABLE "{schema}".orders (id int)')
    with pytest.raises(IndexError_, match="holds tables but no provenance index"):
        open_index(pg, None, create=True)
    _sql(pg, f'CREATE TABLE "{schema}".meta (id int)')
    with pytest.raises(IndexError_, match="no provenance index; left untouched"):
        open_index(pg, None, create=True)
    _sql(pg, f'DROP TABLE "{schema}".meta; CREATE TABLE "{schema}".meta (key text, value text)')
    _sql(pg, f"INSERT INTO \"{schema}\".meta VALUES ('kind', 'something else')")
    with pytest.raises(IndexError_, match="no provenance index; left untouched"):
        open_index(pg, None)
    with pytest.raises(IndexError_, match="not a plain PostgreSQL name"):
        open_index(pg.replace("schema=", "schema=x;DROP%20TABLE%20y--"), None, create=True)


def test_schema_and_parameters_are_checked(pg: str) -> None:
    build_index([SAMPLE / "sources"], pg, load_rules(SAMPLE / "provenance.toml"))
    with pytest.raises(IndexError_, match="shingle_cjk"):
        open_index(pg, FingerprintParams(shingle_cjk=4))
    schema = split_url(pg)[1]
    _sql(pg, f"UPDATE \"{schema}\".meta SET value = '{{\"num_perm\": \"many\"}}' WHERE key = 'params'")
    with pytest.raises(IndexError_, match="params"):
        open_index(pg, None)
    _sql(pg, f"UPDATE \"{schema}\".meta SET value = '99' WHERE key = 'schema'")
    with pytest.raises(IndexError_, match=r"index schema '99' .* not supported"):
        open_index(pg, None)


def test_damaged_rows_stop_the_scan_with_a_message(pg: str) -> None:
    rules = load_rules(SAMPLE / "provenance.toml")
    build_index([SAMPLE / "sources"], pg, rules)
    schema = split_url(pg)[1]
    _sql(pg, f"UPDATE \"{schema}\".docs SET text_z = '\\x28b52ffd00'::bytea, screen_z = '\\x0102'::bytea")
    with pytest.raises(IndexError_, match=r"damaged|rebuild"):
        scan([SAMPLE / "incoming"], pg, rules)
    import numpy as np
    import psycopg

    with psycopg.connect(split_url(pg)[0]) as conn:
        stored = [row[0] for row in conn.execute(f'SELECT key FROM "{schema}".postings LIMIT 5')]
    keys = np.array([key + (1 << 31) for key in stored], dtype=np.uint64)  # stored as low 32 bits, shifted
    _sql(pg, f"UPDATE \"{schema}\".postings SET docs = '\\xffff'::bytea")
    with open_index(pg, None, readonly=True) as index, pytest.raises(IndexError_, match="posting list in postings"):
        index.candidates(np.zeros(index.params.num_perm, dtype=np.uint32), 0, keys, 3)


def test_readonly_sessions_cannot_write(pg: str) -> None:
    build_index([SAMPLE / "sources"], pg, load_rules(SAMPLE / "provenance.toml"))
    with open_index(pg, None, readonly=True) as index:
        with pytest.raises(IndexError_, match="read-only"):
            index.remove(["anything"])
        with pytest.raises(Exception, match="read-only transaction"):
            index.conn.execute(f'DELETE FROM "{split_url(pg)[1]}".docs')


def test_passwords_are_masked() -> None:
    url = require_postgres()
    with_password = url.replace("://", "://nobody:s3cret-pass@", 1) if "@" not in url else url
    with pytest.raises(IndexError_) as caught:
        open_index(f"{with_password}{'&' if '?' in with_password else '?'}schema=nothing_here&password=s3cret-pass",
                   None)
    assert "s3cret-pass" not in str(caught.value)


def test_a_deadlock_victim_writes_its_batch_again(pg: str) -> None:
    with open_index(pg, None, create=True) as index:
        attempts = []

        def write() -> int:
            attempts.append(1)
            if len(attempts) == 1:  # as PostgreSQL ends the transaction it picks to break a deadlock
                index.conn.execute("DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = '40P01'; END $$")
            return index.conn.execute("SELECT 1").fetchone()[0]

        assert index._retrying(write) == 1 and len(attempts) == 2
        with pytest.raises(IndexError_, match="cannot write to the index"):
            index._retrying(lambda: index.conn.execute("SELECT 1/0"))
