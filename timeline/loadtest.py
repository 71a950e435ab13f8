"""The load test: gunicorn with production settings under wrk, with curators writing at the same time.

``manage.py loadtest`` (``make loadtest``) runs it, on loopback only:

1. A scratch PostgreSQL database (``timeline_load`` by default, dropped and created afresh,
   never the development one): migrate, load the real fixtures, collect the static files.
2. gunicorn (``timeline.wsgi``, production settings, whitenoise, gthread workers) on a free
   loopback port. Plain HTTP on loopback, so ``DJANGO_SECURE_SSL_REDIRECT=0``; the anonymous
   API throttle is raised out of reach (``DJANGO_API_ANON_RATE``), since every wrk connection
   comes from one address and 429s would be the throttle working, not an error.
3. wrk with a Lua script cycling through a mix of pages and API calls (``--connections`` for
   ``--seconds``, 64 for 60 by default), while ``--writers`` threads act as curators through the
   API with a token: each creates events (recording each one the server acknowledged with 201) and
   increments a shared counter with ``If-Match`` (re-reading on 412, recording each 200).
4. Afterwards: zero socket errors and zero non-2xx/3xx responses from wrk, zero unexpected
   statuses for the writers, every acknowledged event in the database with its title, and the
   counter equal to the number of acknowledged increments (no lost update).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
MANAGE = BASE_DIR / "manage.py"
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
COUNTER_SLUG = "loadtest-counter"

PAGES = ["/", "/actors/", "/organisations/", "/places/", "/periods/", "/sources/", "/search/?q=strike"]
API = [
    "/api/v1/events/",
    "/api/v1/events/?page_size=100",
    "/api/v1/actors/",
    "/api/v1/places/geojson/",
    "/api/v1/events/csv/",
    "/api/v1/events/ics/",
    "/api/v1/events/timelinejs/",
    "/health/",
]

LUA = r"""
paths = {%(paths)s}
counter = 0
setup = function(thread)
  thread:set("offset", math.random(#paths))
end
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[((counter + (offset or 0)) %% #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %%d, "duration_us": %%d, "connect_errors": %%d, "read_errors": %%d, '
    .. '"write_errors": %%d, "timeouts": %%d, "non_2xx_3xx": %%d, "p50_us": %%d, "p99_us": %%d, "max_us": %%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout, e.status,
    latency:percentile(50), latency:percentile(99), latency.max))
end
"""


@dataclass
class WriterLog:
    created: list[tuple[str, str]] = field(default_factory=list)  # (slug, title) acknowledged with 201
    increments: int = 0  # counter PATCHes acknowledged with 200
    conflicts: int = 0  # 412s, each re-read and retried
    unexpected: list[str] = field(default_factory=list)


@dataclass
class Result:
    seconds: int
    connections: int
    workers: int
    threads: int
    urls: int
    wrk: dict
    writes_acknowledged: int = 0
    events_created: int = 0
    counter_increments: int = 0
    write_conflicts_retried: int = 0
    writer_errors: list[str] = field(default_factory=list)
    missing_events: list[str] = field(default_factory=list)
    counter_in_database: int | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        w = self.wrk
        errors = w["connect_errors"] + w["read_errors"] + w["write_errors"] + w["timeouts"]
        lines = [
            f"wrk: {w['requests']} requests in {w['duration_us'] / 1e6:.1f} s over {self.connections} connections "
            f"({self.urls} URLs): {errors} socket errors, {w['non_2xx_3xx']} non-2xx/3xx responses; "
            f"p50 {w['p50_us'] / 1000:.1f} ms, p99 {w['p99_us'] / 1000:.1f} ms.",
            f"curators: {self.writes_acknowledged} acknowledged writes ({self.events_created} events created, "
            f"{self.counter_increments} counter increments), {self.write_conflicts_retried} 412s re-read and "
            f"retried, {len(self.writer_errors)} unexpected answers; {len(self.missing_events)} acknowledged "
            f"events missing; counter in the database {self.counter_in_database}.",
        ]
        lines += [f"PROBLEM: {problem}" for problem in self.problems]
        lines.append("OK: no errors, nothing lost." if self.ok else "FAILED.")
        return "\n".join(lines)


# Processes ---------------------------------------------------------------------------------------------


def _env(database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "timeline.settings",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": database_url,
            # Loopback, plain HTTP: no proxy to terminate TLS.
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            # Every wrk connection is one address: the anonymous throttle would answer 429 by design.
            "DJANGO_API_ANON_RATE": "100000000/minute",
            "DJANGO_LOG_LEVEL": "WARNING",
        }
    )
    if os.environ.get("DJANGO_CACHE_URL"):
        env["DJANGO_CACHE_URL"] = os.environ["DJANGO_CACHE_URL"]
    env.update(extra)
    return env


def _manage(args: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(  # noqa: S603
        [sys.executable, str(MANAGE), *args], env=env, cwd=BASE_DIR, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def _psql(sql: str, database: str = "postgres") -> list[tuple]:
    import psycopg2

    connection = psycopg2.connect(f"{PG_SERVER}/{database}")
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall() if cursor.description else []
    finally:
        connection.close()


def prepare_database(database: str) -> str:
    """Drop and create the scratch database; migrate it and load the real fixtures."""
    if not database.replace("_", "").isalnum() or database in {"postgres", "timeline"}:
        raise ValueError(f"Refusing to use {database!r} as the load test's scratch database.")
    _psql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    _psql(f'CREATE DATABASE "{database}"')
    return f"{PG_SERVER}/{database}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(env: dict[str, str], port: int, workers: int, threads: int) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(  # noqa: S603
        [
            str(gunicorn),
            "timeline.wsgi",
            f"--bind=127.0.0.1:{port}",
            f"--workers={workers}",
            "--worker-class=gthread",
            f"--threads={threads}",
            "--backlog=2048",
            "--timeout=60",
            "--log-level=warning",
        ],
        env=env,
        cwd=BASE_DIR,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=2) as response:
                if response.status == 200:
                    return process
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    stop(process)
    raise RuntimeError("gunicorn did not answer /health/ within 30 seconds")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


# The curators ------------------------------------------------------------------------------------------


class Curator:
    def __init__(self, base: str, token: str):
        self.base, self.token = base, token

    def call(self, method: str, path: str, body: dict | None = None, headers: dict | None = None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310
            self.base + path,
            data=data,
            method=method,
            headers={
                "Authorization": f"Token {self.token}",
                "Content-Type": "application/json",
                "Accept": "application/json",
                **(headers or {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return response.status, response.headers, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()[:300]

    def work(self, number: int, stop_at: float, log: WriterLog) -> None:
        n = 0
        while time.monotonic() < stop_at:
            n += 1
            slug, title = f"loadtest-{number}-{n}", f"Load test event {number}.{n} <b>&</b>"
            try:
                status, _, body = self.call(
                    "POST", "/api/v1/events/", {"slug": slug, "title": title, "type": "meeting", "status": "draft"}
                )
                if status == 201:
                    log.created.append((slug, title))
                else:
                    log.unexpected.append(f"POST {slug}: {status} {body!r}")
                self.increment(log)
            except OSError as error:  # a write the server never acknowledged is not counted
                log.unexpected.append(f"writer {number}: {error!r}")

    def increment(self, log: WriterLog) -> None:
        for _ in range(100):
            status, headers, body = self.call("GET", f"/api/v1/events/{COUNTER_SLUG}/")
            if status != 200:
                log.unexpected.append(f"GET counter: {status} {body!r}")
                return
            value = int(body["summary"] or 0)
            status, _, body = self.call(
                "PATCH",
                f"/api/v1/events/{COUNTER_SLUG}/",
                {"summary": str(value + 1)},
                headers={"If-Match": headers["ETag"]},
            )
            if status == 200:
                log.increments += 1
                return
            if status != 412:
                log.unexpected.append(f"PATCH counter: {status} {body!r}")
                return
            log.conflicts += 1
        log.unexpected.append("PATCH counter: 100 conflicts in a row")


# The run ---------------------------------------------------------------------------------------------------


def create_curator(env: dict[str, str]) -> str:
    code = (
        "from django.contrib.auth.models import Permission, User; "
        "from rest_framework.authtoken.models import Token; "
        "from timeline.models import Event; "
        "u = User.objects.create_user('loadtest-curator', password=None); "
        "u.user_permissions.set(Permission.objects.filter(content_type__app_label='timeline')); "
        f"Event.objects.create(slug='{COUNTER_SLUG}', title='Load test counter', event_type='meeting', summary='0'); "
        "print('TOKEN', Token.objects.create(user=u).key)"
    )
    out = _manage(["shell", "-c", code], env)
    return next(line.split()[1] for line in out.splitlines() if line.startswith("TOKEN "))


def urls(base: str) -> list[str]:
    """The fixed mix, plus the pages and API records of a few real events, people and places."""
    found = []
    for resource, page in (("events", "events"), ("actors", "actors"), ("places", "places")):
        with urllib.request.urlopen(f"{base}/api/v1/{resource}/?page_size=5", timeout=10) as response:  # noqa: S310
            for row in json.loads(response.read())["results"]:
                found += [f"/{page}/{row['slug']}/", f"/api/v1/{resource}/{row['slug']}/"]
    return PAGES + API + found


def run_wrk(base: str, paths: list[str], *, seconds: int, connections: int, threads: int) -> dict:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is not installed: make load-deps")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA % {"paths": ", ".join(json.dumps(path) for path in paths)})
    try:
        result = subprocess.run(  # noqa: S603
            [
                wrk,
                f"--threads={threads}",
                f"--connections={connections}",
                f"--duration={seconds}s",
                "--timeout=30s",
                f"--script={script.name}",
                base,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        os.unlink(script.name)
    line = next(line for line in result.stdout.splitlines() if line.startswith("WRK_JSON "))
    return json.loads(line.removeprefix("WRK_JSON "))


def verify(database: str, log: WriterLog) -> tuple[list[str], int]:
    """Acknowledged events missing (or changed) in the database, and the counter's value there."""
    rows = dict(_psql("SELECT slug, title FROM timeline_event WHERE slug LIKE 'loadtest-%'", database))
    missing = [slug for slug, title in log.created if rows.get(slug) != title]
    counter = _psql(f"SELECT summary FROM timeline_event WHERE slug = '{COUNTER_SLUG}'", database)  # noqa: S608
    return missing, int(counter[0][0])


def run(
    *,
    seconds: int = 60,
    connections: int = 64,
    writers: int = 2,
    workers: int | None = None,
    threads: int = 4,
    database: str = "timeline_load",
    echo=print,
) -> Result:
    workers = workers or min(8, 2 * (os.cpu_count() or 1) + 1)
    echo(f"Preparing the scratch database {database} (migrate, fixtures, static files)...")
    database_url = prepare_database(database)
    env = _env(database_url)
    _manage(["migrate", "--noinput"], env)
    fixtures = sorted(str(path) for path in (BASE_DIR / "fixtures").glob("*.json"))
    if fixtures:
        _manage(["loaddata", *fixtures], env)
    _manage(["collectstatic", "--noinput", "--verbosity=0"], env)
    token = create_curator(env)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    echo(f"Starting gunicorn on {base} ({workers} workers x {threads} threads, production settings)...")
    server = start_gunicorn(env, port, workers, threads)
    try:
        paths = urls(base)
        logs = [WriterLog() for _ in range(writers)]
        stop_at = time.monotonic() + seconds
        curators = [
            threading.Thread(target=Curator(base, token).work, args=(n, stop_at, logs[n]), daemon=True)
            for n in range(writers)
        ]
        echo(f"wrk: {connections} connections for {seconds} s over {len(paths)} URLs; {writers} curators writing...")
        for thread in curators:
            thread.start()
        wrk = run_wrk(base, paths, seconds=seconds, connections=connections, threads=min(connections, 4))
        for thread in curators:
            thread.join(timeout=120)
    finally:
        stop(server)
    result = Result(
        seconds=seconds, connections=connections, workers=workers, threads=threads, urls=len(paths), wrk=wrk
    )
    created = [row for log in logs for row in log.created]
    result.events_created = len(created)
    result.counter_increments = sum(log.increments for log in logs)
    result.writes_acknowledged = result.events_created + result.counter_increments
    result.write_conflicts_retried = sum(log.conflicts for log in logs)
    result.writer_errors = [error for log in logs for error in log.unexpected]
    result.missing_events, result.counter_in_database = verify(database, WriterLog(created=created))
    socket_errors = wrk["connect_errors"] + wrk["read_errors"] + wrk["write_errors"] + wrk["timeouts"]
    if socket_errors:
        result.problems.append(f"{socket_errors} socket errors or timeouts")
    if wrk["non_2xx_3xx"]:
        result.problems.append(f"{wrk['non_2xx_3xx']} responses were not 2xx/3xx")
    if not wrk["requests"]:
        result.problems.append("wrk made no requests")
    if result.writer_errors:
        result.problems.append(f"curators got unexpected answers: {result.writer_errors[:5]}")
    if not result.writes_acknowledged:
        result.problems.append("no write was acknowledged")
    if result.missing_events:
        result.problems.append(f"acknowledged events missing: {result.missing_events[:5]}")
    if result.counter_in_database != result.counter_increments:
        result.problems.append(
            f"counter is {result.counter_in_database} after {result.counter_increments} acknowledged increments"
        )
    return result


def as_json(result: Result) -> str:
    return json.dumps({**asdict(result), "ok": result.ok}, indent=2)
