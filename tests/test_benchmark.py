"""The benchmark, at CI size: 1,000 events, 2 s per request type, cached and uncached, every figure sane.

Needs wrk (``make bench-deps``), PostgreSQL and Redis on 127.0.0.1; it runs once, in the PostgreSQL
pass of the suite (about a minute and a half). ``make bench`` runs the full version (1,000, 10,000 and 100,000 events).
"""

import json
import shutil
import socket

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from timeline import benchmark

NAMES = {
    "baseline",
    "timeline",
    "event page",
    "filtered timeline",
    "search",
    "api list",
    "api deep page",
    "api filtered",
    "api search",
    "timelinejs export",
}


def _answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(shutil.which("wrk") is None, reason="needs wrk: make bench-deps")
@pytest.mark.skipif(connection.vendor != "postgresql", reason="runs once, in the PostgreSQL pass")
@pytest.mark.skipif(not _answers(6379), reason="needs Redis on 127.0.0.1:6379")
def test_the_benchmark_runs_at_ci_size(tmp_path):
    report = benchmark.run(
        sizes=[1000],
        seconds=2,
        connections=10,
        workers=2,
        admin_url="postgres://postgres@127.0.0.1:5432/postgres",
        database="timeline_bench_ci",
        cache_url="redis://127.0.0.1:6379/3",
        output=tmp_path,
        log=lambda *args: None,
    )

    (size,) = report["sizes"]
    assert size["events"] == 1000
    assert set(size["queries"]) == NAMES
    assert max(size["queries"].values()) <= 10
    assert size["queries"]["baseline"] == 0
    measured = {(m["name"], m["mode"]): m for m in size["measurements"]}
    assert set(measured) == {(name, mode) for name in NAMES for mode in ("cached", "uncached")}
    assert all(
        m["requests"] > 0 and m["errors"] == 0 and m["p50_ms"] <= m["p95_ms"] <= m["p99_ms"] for m in measured.values()
    )
    for mode in ("cached", "uncached"):
        baseline = measured[("baseline", mode)]
        # Before the first request type and after each of the nine others.
        assert len(baseline["baseline_runs"]) == 10
        assert baseline["ratio"] == 1.0
        assert baseline["rps"] == sorted(baseline["baseline_runs"])[4]
        # Each request type, in the order measured, over the mean of the baseline runs beside it.
        others = [m for m in size["measurements"] if m["mode"] == mode and m["name"] != "baseline"]
        runs = baseline["baseline_runs"]
        for before, m in enumerate(others):
            assert m["baseline_rps"] == round((runs[before] + runs[before + 1]) / 2, 1)
            assert m["ratio"] == round(m["rps"] / m["baseline_rps"], 3)
    assert json.loads((tmp_path / "results.json").read_text()) == report
    assert (tmp_path / "results.md").read_text().startswith("# Benchmark results")


def report_of(queries: dict, measurements: list) -> dict:
    """A report as ``run`` writes it, for one size: 1,000 events."""
    return {
        "commit": "abc1234",
        "hardware": {"cpu": "CPU", "nproc": 2, "memory_gib": 24.0, "python": "3.11", "platform": "Linux"},
        "postgresql": "15.20",
        "settings": {
            "seconds": 10,
            "baseline_seconds": 3,
            "connections": 10,
            "gunicorn_workers": 4,
            "cache": "redis://",
            "load_generator": "wrk",
        },
        "sizes": [{"events": 1000, "fixture_load_s": 1.5, "queries": queries, "measurements": measurements}],
    }


def test_the_results_table_has_a_row_per_request_type():
    measurement = {"rps": 100.0, "ratio": 0.5, "p50_ms": 1.0, "p95_ms": 2.0, "p99_ms": 3.0, "path": "/"}
    report = report_of(
        {"timeline": 8},
        [
            {**measurement, "name": "timeline", "mode": "cached"},
            {**measurement, "name": "timeline", "mode": "uncached"},
        ],
    )

    table = benchmark.markdown(report)

    assert "| timeline `/` | 8 | 100 | 0.50 | 1.0 | 2.0 | 3.0 | 100 | 0.50 | 1.0 | 2.0 | 3.0 |" in table
    assert "2 cores (nproc), 24.0 GiB; PostgreSQL 15.20" in table
    assert "measured for 3 s just before and just after the request type" in table
    assert "commit abc1234" in table


@pytest.mark.parametrize("name", ["postgres"])
def test_the_benchmark_never_uses_a_shared_database(name):
    with pytest.raises(CommandError, match="database of its own"):
        call_command("benchmark", "--database", name)


def test_the_baseline_view_is_a_fixed_small_body(client):
    response = client.get("/bench/baseline/")

    assert response.status_code == 200
    assert response.json() == {"ok": True}
    assert "X-Response-Cache" not in response


class ScriptedServer:
    """Stands in for gunicorn: every path answers, and the URL is the path."""

    def __init__(self):
        self.checked = []

    def check(self, path):
        self.checked.append(path)

    def url(self, path):
        return path


def test_each_request_type_is_measured_between_two_baseline_runs(monkeypatch):
    # (requests per second, p95 in ms) of each wrk run, in order: the baseline before the first request
    # type and after each one. The first baseline run is the fastest, so that the row cannot be it.
    scripted = iter([(1400, 5), (300, 90), (1000, 7), (500, 60), (800, 9), (200, 99), (1200, 6), (100, 80), (900, 8)])
    calls = []

    def scripted_wrk(url, *, seconds, connections, script):
        calls.append((url, seconds))
        rps, p95_ms = next(scripted)
        return {
            "requests": rps * seconds,
            "duration_us": seconds * 1_000_000,
            "errors": 0,
            "non_2xx_3xx": 0,
            "p50_us": 1000,
            "p95_us": p95_ms * 1000,
            "p99_us": 100_000,
        }

    monkeypatch.setattr(benchmark, "wrk", scripted_wrk)
    server = ScriptedServer()
    paths = [("baseline", "/bench/baseline/"), ("timeline", "/"), ("search", "/search/?q=strike"), ("api", "/api/v1/")]
    paths += [("export", "/api/v1/events/timelinejs/")]

    results = benchmark.measure(
        server, paths, mode="uncached", seconds=10, connections=10, script=None, log=lambda *args: None
    )

    baseline_call = ("/bench/baseline/", 3)
    assert calls == [
        baseline_call,
        ("/", 10),
        baseline_call,
        ("/search/?q=strike", 10),
        baseline_call,
        ("/api/v1/", 10),
        baseline_call,
        ("/api/v1/events/timelinejs/", 10),
        baseline_call,
    ]
    assert server.checked == [url for url, _ in calls]
    assert [m.name for m in results] == ["baseline", "timeline", "search", "api", "export"]
    assert [(m.baseline_rps, m.ratio) for m in results[1:]] == [
        (1200.0, 0.25),  # 300 between 1,400 and 1,000
        (900.0, 0.556),  # 500 between 1,000 and 800
        (1000.0, 0.2),  # 200 between 800 and 1,200
        (1050.0, 0.095),  # 100 between 1,200 and 900
    ]
    baseline = results[0]
    # The median of five runs is the third slowest, 1,000 req/s, with its own percentiles.
    assert (baseline.rps, baseline.p95_ms, baseline.ratio) == (1000.0, 7.0, 1.0)
    assert baseline.baseline_runs == [1400.0, 1000.0, 800.0, 1200.0, 900.0]
    assert (baseline.requests, baseline.errors) == (15900, 0)


def test_of_an_even_number_of_baseline_runs_the_row_is_the_lower_median():
    runs = [
        benchmark.Measurement("baseline", "/bench/baseline/", "cached", rps, 1.0, p95, 3.0, 10, 0)
        for rps, p95 in [(900.0, 4.0), (700.0, 6.0), (1100.0, 2.0), (800.0, 5.0)]
    ]

    row = benchmark.summarise_baselines(runs)

    assert (row.rps, row.p95_ms, row.baseline_rps, row.requests) == (800.0, 5.0, 800.0, 40)
    assert row.baseline_runs == [900.0, 700.0, 1100.0, 800.0]


@pytest.mark.parametrize(("seconds", "expected"), [(1, 1), (2, 1), (10, 3), (20, 6)])
def test_a_baseline_run_lasts_30_percent_of_a_request_types_and_at_least_a_second(seconds, expected):
    assert benchmark.baseline_seconds(seconds) == expected


def test_the_results_say_how_far_the_baseline_drifted():
    run = {"rps": 1000.0, "ratio": 1.0, "p50_ms": 1.0, "p95_ms": 2.0, "p99_ms": 3.0, "path": "/bench/baseline/"}
    report = report_of(
        {"baseline": 0},
        [
            {**run, "name": "baseline", "mode": "cached", "baseline_runs": [1000.0, 1600.0, 2000.0]},
            {**run, "name": "baseline", "mode": "uncached", "baseline_runs": [1500.0, 1200.0]},
        ],
    )

    table = benchmark.markdown(report)

    assert "Baseline, cached pass: 3 runs, 1,000–2,000 req/s (the slowest 0.50× the fastest)." in table
    assert "Baseline, uncached pass: 2 runs, 1,200–1,500 req/s (the slowest 0.80× the fastest)." in table


@pytest.mark.parametrize(("cached", "flag"), [(True, "1"), (False, "0")])
def test_the_uncached_server_takes_nothing_from_the_cache(cached, flag):
    server = benchmark.Server("postgres://db/x", workers=1, cache_url="redis://127.0.0.1:6379/2", response_cache=cached)

    assert (server.env["DJANGO_RESPONSE_CACHE"], server.env["DJANGO_COUNT_CACHE"]) == (flag, flag)
