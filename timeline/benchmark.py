"""The benchmark: the site as it runs in production, under a real HTTP load generator.

For each data size it prepares a separate PostgreSQL database (never the
development one): migrate, load the real fixtures (timed), generate synthetic
events, collect the static files. It then starts gunicorn with production
settings twice, once with the response cache (Redis, shared by the workers) and
once with nothing from the cache (no stored responses, and the timeline's
counts and figure marks computed on every request), and drives each request
type with ``wrk`` from another process: 10 connections for a few seconds each.
The same server's trivial baseline view (``/bench/baseline/``, no database)
runs before the first request type and again after each one, and every figure
is also a ratio to the mean of the two baseline runs beside it: the machine's
speed drifts within a run, and a ratio to a baseline measured minutes earlier
would carry that drift. A small Lua ``done()`` hook prints the exact
p50/p95/p99. The queries each request type makes are counted on a cold render
(nothing from the cache) in a separate process with Django's test client on
the same database. Results go to ``results.json`` and ``results.md``.

``manage.py benchmark`` runs it; ``make bench`` runs it at 1,000, 10,000 and
100,000 events.
"""

from __future__ import annotations

import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from django.http import JsonResponse

BASE_DIR = Path(__file__).resolve().parent.parent
MANAGE = BASE_DIR / "manage.py"

# A body of the same small size on every request, and no database work.
BASELINE_BODY = {"ok": True}


def baseline(request):
    """The benchmark's yardstick: the full middleware stack and a fixed small JSON body."""
    return JsonResponse(BASELINE_BODY)


LUA = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "errors": %d, "non_2xx_3xx": %d, '
    .. '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, latency.mean))
end
"""


@dataclass
class Measurement:
    name: str
    path: str
    mode: str  # "cached" or "uncached"
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    requests: int
    errors: int
    ratio: float | None = None  # rps / baseline_rps
    # The mean of the baseline runs just before and just after this one. The baseline's own row is
    # its (lower) median run: rps and percentiles are that run's, while requests and errors are
    # summed over every run, and every run's rps is in baseline_runs.
    baseline_rps: float | None = None
    baseline_runs: list[float] = field(default_factory=list)


@dataclass
class SizeResult:
    events: int
    fixture_load_s: float
    queries: dict[str, int] = field(default_factory=dict)
    measurements: list[Measurement] = field(default_factory=list)


def request_types(database_url: str) -> list[tuple[str, str]]:
    """(name, path) of every request type measured, with slugs and cursors read from the data."""
    out = _manage(["benchmark", "--internal-paths"], database_url, capture=True)
    return [tuple(item) for item in json.loads(out.strip().splitlines()[-1])]


def paths_from_data() -> list[tuple[str, str]]:
    """Run inside a Django process on the benchmark's database."""
    from api.pagination import EventCursorPagination
    from timeline.models import Event

    published = Event.objects.published().chronological()
    total = published.count()
    middle = published.only("slug")[total // 2]
    deep = published[total * 9 // 10]
    actor = (
        Event.objects.published()
        .filter(participations__actor__isnull=False)
        .values_list("participations__actor__slug", flat=True)[0]
    )
    cursor = EventCursorPagination.cursor_for(deep)
    return [
        ("baseline", "/bench/baseline/"),
        ("timeline", "/"),
        ("event page", middle.get_absolute_url()),
        ("filtered timeline", f"/?type=strike&actor={actor}"),
        ("search", "/search/?q=general+strike"),
        ("api list", "/api/v1/events/"),
        ("api deep page", f"/api/v1/events/?cursor={cursor}"),
        ("api filtered", "/api/v1/events/?type=strike&after=1950&before=1980"),
        ("api search", "/api/v1/events/?q=general+strike"),
        ("timelinejs export", "/api/v1/events/timelinejs/?date=2003-10/2004-02"),
    ]


def count_queries(paths: list[tuple[str, str]]) -> dict[str, int]:
    """Queries per request type, rendered afresh (no response cache, no remembered counts), as an anonymous client."""
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    counts = {}
    cold = {"RESPONSE_CACHE": False, "COUNT_CACHE": False, "ALLOWED_HOSTS": ["127.0.0.1"], "SECURE_SSL_REDIRECT": False}
    with override_settings(**cold):
        for name, path in paths:
            client.get(path)  # warm: content types, the site's first connection
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code}")
            counts[name] = len(queries)
    return counts


# Orchestration ------------------------------------------------------------------------


def _env(database_url: str, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(
        {
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "timeline.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "benchmark-" + secrets.token_hex(24),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            # A loopback benchmark speaks plain HTTP.
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_SECURE_PROXY_SSL_HEADER": "0",
            # One client address makes every request: don't let the anonymous throttle answer 429.
            "DJANGO_API_ANON_RATE": "1000000/second",
            "DJANGO_LOG_LEVEL": "WARNING",
            **extra,
        }
    )
    return env


def _manage(args: list[str], database_url: str, *, capture: bool = False, **extra: str) -> str:
    result = subprocess.run(  # noqa: S603
        [sys.executable, str(MANAGE), *args],
        env=_env(database_url, **extra),
        cwd=BASE_DIR,
        check=True,
        capture_output=capture,
        text=True,
    )
    return result.stdout if capture else ""


def ensure_database(admin_url: str, name: str, *, fresh: bool) -> str:
    """Create (or recreate) the benchmark's database; returns its URL."""
    import psycopg2
    from psycopg2 import sql

    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise ValueError(f"Invalid database name {name!r}.")
    connection = psycopg2.connect(admin_url)
    connection.autocommit = True
    with connection.cursor() as cursor:
        if fresh:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    connection.close()
    base = admin_url.rsplit("/", 1)[0]
    return f"{base}/{name}"


def prepare(database_url: str, events: int, log) -> float:
    """Migrate, load the real fixtures (returns the seconds it took), generate the synthetic events."""
    _manage(["migrate", "--noinput", "-v", "0"], database_url)
    _manage(["flush", "--noinput"], database_url)
    fixtures = sorted(str(p) for p in (BASE_DIR / "fixtures").glob("*.json"))
    started = time.perf_counter()
    _manage(["loaddata", "-v", "0", *fixtures], database_url)
    load_time = time.perf_counter() - started
    log(f"  real fixtures loaded in {load_time:.2f} s (a fresh process, startup included)")
    started = time.perf_counter()
    _manage(["generate_synthetic", "--events", str(events), "--seed", "1", "--replace"], database_url, capture=True)
    log(f"  {events} synthetic events generated in {time.perf_counter() - started:.1f} s")
    vacuum = "from django.db import connection; connection.cursor().execute('VACUUM ANALYZE')"
    _manage(["shell", "-c", vacuum], database_url)
    return load_time


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn with production settings on a free loopback port."""

    def __init__(self, database_url: str, *, workers: int, cache_url: str, response_cache: bool):
        self.port = free_port()
        # Uncached is nothing from the cache: no stored response, and no remembered count or figure marks.
        flag = "1" if response_cache else "0"
        self.env = _env(database_url, DJANGO_CACHE_URL=cache_url, DJANGO_RESPONSE_CACHE=flag, DJANGO_COUNT_CACHE=flag)
        self.workers = workers
        self.process = None

    def __enter__(self):
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(  # noqa: S603
            [
                str(gunicorn),
                "timeline.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--log-level",
                "warning",
            ],
            env=self.env,
            cwd=BASE_DIR,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url("/bench/baseline/"), timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        self.__exit__(None, None, None)
        raise RuntimeError("gunicorn did not answer within 30 seconds")

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def check(self, path: str) -> None:
        with urllib.request.urlopen(self.url(path), timeout=60) as response:  # noqa: S310
            if response.status != 200:
                raise RuntimeError(f"{path} answered {response.status}")
            response.read()


def wrk(url: str, *, seconds: int, connections: int, script: Path) -> dict:
    result = subprocess.run(  # noqa: S603
        [
            shutil.which("wrk") or "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",  # a slow response is measured, not dropped as an error after wrk's default 2 s
            "-s",
            str(script),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    line = next((line for line in result.stdout.splitlines() if line.startswith("WRK_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result for {url}:\n{result.stdout}\n{result.stderr}")
    return json.loads(line.removeprefix("WRK_JSON "))


def baseline_seconds(seconds: int) -> int:
    """How long each baseline run lasts: 30% of a request type's run, at least a second."""
    return max(1, round(seconds * 0.3))


def measure(server: Server, paths, *, mode: str, seconds: int, connections: int, script: Path, log):
    """Every request type between two runs of the baseline, its ratio to their mean.

    The baseline's own row is its median run (ratio 1.0), with every run's
    requests per second in ``baseline_runs``: their spread shows how much the
    machine drifted while the request types were measured.
    """
    (baseline_path,) = [path for name, path in paths if name == "baseline"]

    def run(name: str, path: str, duration: int) -> Measurement:
        server.check(path)  # fail loudly on anything but 200; also warms the cache in cached mode
        data = wrk(server.url(path), seconds=duration, connections=connections, script=script)
        measurement = Measurement(
            name=name,
            path=path,
            mode=mode,
            rps=round(data["requests"] / (data["duration_us"] / 1e6), 1),
            p50_ms=data["p50_us"] / 1000,
            p95_ms=data["p95_us"] / 1000,
            p99_ms=data["p99_us"] / 1000,
            requests=data["requests"],
            errors=data["errors"] + data["non_2xx_3xx"],
        )
        log(
            f"  {mode:8} {name:18} {measurement.rps:8.1f} req/s  p95 {measurement.p95_ms:7.2f} ms"
            f"  errors {measurement.errors}"
        )
        return measurement

    short = baseline_seconds(seconds)
    baselines = [run("baseline", baseline_path, short)]
    results = []
    for name, path in paths:
        if name == "baseline":
            continue
        measurement = run(name, path, seconds)
        baselines.append(run("baseline", baseline_path, short))
        measurement.baseline_rps = round((baselines[-2].rps + baselines[-1].rps) / 2, 1)
        measurement.ratio = round(measurement.rps / measurement.baseline_rps, 3) if measurement.baseline_rps else None
        results.append(measurement)
    return [summarise_baselines(baselines), *results]


def summarise_baselines(runs: list[Measurement]) -> Measurement:
    """The baseline's row: its median run, with every run's requests per second."""
    median = sorted(runs, key=lambda m: m.rps)[(len(runs) - 1) // 2]
    return replace(
        median,
        requests=sum(m.requests for m in runs),
        errors=sum(m.errors for m in runs),
        ratio=1.0,
        baseline_rps=median.rps,
        baseline_runs=[m.rps for m in runs],
    )


def hardware() -> dict:
    info = {"nproc": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout  # noqa: S607
        match = re.search(r"Model name:\s*(.+)", lscpu)
        info["cpu"] = match.group(1).strip() if match else "unknown"
    except OSError:
        info["cpu"] = "unknown"
    try:
        meminfo = Path("/proc/meminfo").read_text()
        info["memory_gib"] = round(int(re.search(r"MemTotal:\s+(\d+)", meminfo).group(1)) / 1024**2, 1)
    except (OSError, AttributeError):
        pass
    return info


def postgres_version(database_url: str) -> str:
    import psycopg2

    connection = psycopg2.connect(database_url)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    connection.close()
    return version


def run(
    *,
    sizes: list[int],
    seconds: int,
    connections: int,
    workers: int,
    admin_url: str,
    database: str,
    cache_url: str,
    output: Path,
    log=print,
) -> dict:
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed: run `make bench-deps` (Debian's package).")
    # Stopped with SIGTERM, still stop the servers it started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    database_url = ensure_database(admin_url, database, fresh=False)
    _manage(["collectstatic", "--noinput", "-v", "0"], database_url)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    report = {
        "commit": commit or "unknown",
        "hardware": hardware(),
        "postgresql": postgres_version(database_url),
        "settings": {
            "seconds": seconds,
            "baseline_seconds": baseline_seconds(seconds),
            "connections": connections,
            "gunicorn_workers": workers,
            "cache": cache_url,
            "load_generator": "wrk -t1 (Debian package), same machine",
        },
        "sizes": [],
    }
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "percentiles.lua"
        script.write_text(LUA)
        for events in sizes:
            log(f"{events} events:")
            load_time = prepare(database_url, events, log)
            paths = request_types(database_url)
            result = SizeResult(events=events, fixture_load_s=round(load_time, 2))
            counts = _manage(["benchmark", "--internal-count-queries"], database_url, capture=True)
            result.queries = json.loads(counts.strip().splitlines()[-1])
            log("  queries per request: " + ", ".join(f"{name} {n}" for name, n in result.queries.items()))
            for mode, cached in (("cached", True), ("uncached", False)):
                with Server(database_url, workers=workers, cache_url=cache_url, response_cache=cached) as server:
                    result.measurements += measure(
                        server, paths, mode=mode, seconds=seconds, connections=connections, script=script, log=log
                    )
            report["sizes"].append(asdict(result))
    output.mkdir(parents=True, exist_ok=True)
    (output / "results.json").write_text(json.dumps(report, indent=2) + "\n")
    (output / "results.md").write_text(markdown(report))
    return report


def markdown(report: dict) -> str:
    hw = report["hardware"]
    s = report["settings"]
    lines = [
        "# Benchmark results",
        "",
        f"Hardware: {hw.get('cpu')}, {hw.get('nproc')} cores (nproc), {hw.get('memory_gib')} GiB; "
        f"PostgreSQL {report['postgresql']}; Python {hw.get('python')}; {hw.get('platform')}; "
        f"code at commit {report.get('commit', 'unknown')}.",
        f"gunicorn {s['gunicorn_workers']} sync workers, production settings; {s['load_generator']}, "
        f"{s['connections']} connections, {s['seconds']} s per request type; cache {s['cache']}.",
        "Ratio: requests per second over the mean of the same server's baseline view (`/bench/baseline/`, "
        f"a fixed small JSON body) measured for {s['baseline_seconds']} s just before and just after "
        "the request type. The baseline's row is the median of its runs.",
        "",
    ]
    for size in report["sizes"]:
        lines += [
            f"## {size['events']:,} synthetic events (plus the real fixtures)",
            "",
            f"Real fixtures loaded in {size['fixture_load_s']} s.",
            "",
            "| request | queries | cached req/s | ratio | p50 ms | p95 ms | p99 ms "
            "| uncached req/s | ratio | p50 ms | p95 ms | p99 ms |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        by = {(m["name"], m["mode"]): m for m in size["measurements"]}
        for name in size["queries"]:
            row = [f"{name} `{by[(name, 'cached')]['path']}`", str(size["queries"][name])]
            for mode in ("cached", "uncached"):
                m = by[(name, mode)]
                row += [
                    f"{m['rps']:.0f}",
                    "n/a" if m["ratio"] is None else f"{m['ratio']:.2f}",
                    f"{m['p50_ms']:.1f}",
                    f"{m['p95_ms']:.1f}",
                    f"{m['p99_ms']:.1f}",
                ]
            lines.append("| " + " | ".join(row) + " |")
        lines.append("")
        for mode in ("cached", "uncached"):
            runs = by.get(("baseline", mode), {}).get("baseline_runs")
            if runs:
                spread = f" (the slowest {min(runs) / max(runs):.2f}× the fastest)" if max(runs) else ""
                lines.append(
                    f"Baseline, {mode} pass: {len(runs)} runs, {min(runs):,.0f}–{max(runs):,.0f} req/s{spread}."
                )
                lines.append("")
    return "\n".join(lines)
