"""The load test, short: gunicorn under wrk (16 connections, 5 s) with two curators writing; no error, nothing lost.

Needs wrk (``make load-deps``) and PostgreSQL on 127.0.0.1:5432 (a scratch database of its own);
skipped without them. ``make loadtest`` runs the full version (64 connections, 60 s).
"""

import shutil
import socket

import pytest

from timeline import loadtest


def _postgres_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=2).close()
    except OSError:
        return False
    return True


pytestmark = [
    pytest.mark.skipif(shutil.which("wrk") is None, reason="needs wrk: make load-deps"),
    pytest.mark.skipif(not _postgres_answers(), reason="needs PostgreSQL on 127.0.0.1:5432"),
]


def test_short_load_run_has_no_errors_and_loses_no_write():
    result = loadtest.run(seconds=5, connections=16, writers=2, workers=3, threads=4, database="timeline_load_ci")

    assert result.problems == [], result.summary()
    assert result.wrk["requests"] > 0
    assert result.wrk["non_2xx_3xx"] == 0
    assert result.writes_acknowledged > 0
    assert result.missing_events == []
    assert result.counter_in_database == result.counter_increments


def test_the_scratch_database_is_never_a_real_one():
    for name in ("postgres", "timeline", "x; DROP TABLE y"):
        with pytest.raises(ValueError, match="Refusing"):
            loadtest.prepare_database(name)
