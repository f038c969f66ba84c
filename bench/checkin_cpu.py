"""Where the CPU goes during door check-ins: gunicorn workers, PostgreSQL backends, the load client.

    .venv/bin/python bench/checkin_cpu.py [--database-url postgresql://...] [--workers sync] [--seconds 4]

Throughput alone does not say why a scan costs what it costs. This runs the same three loads as
bench/checkin.py (hello-world, distinct tickets, repeat scans; 16 keep-alive scanners) one after
the other against gunicorn and reads, from /proc (Linux), the CPU time each party used during each
phase, divided by the requests answered: the gunicorn processes (master and workers), the
PostgreSQL server processes (when the database is PostgreSQL on this machine), this process (the
16 client threads), and the machine's idle time. A SQLite URL is accepted too (no server column).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.checkin import SECRET, prepare  # noqa: E402
from bench.harness import Gunicorn, load  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(matches) -> float:
    """User + system CPU seconds of every process whose command line `matches`."""
    total = 0.0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                command = fh.read().replace(b"\0", b" ").decode(errors="replace")
            with open(f"/proc/{pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:  # the process ended while we looked
            continue
        if matches(command):
            total += (int(fields[11]) + int(fields[12])) / TICKS
    return total


def idle_seconds() -> float:
    with open("/proc/stat") as fh:
        values = [int(v) for v in fh.readline().split()[1:]]
    return (values[3] + values[4]) / TICKS  # idle + iowait, all cores


def client_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


PARTIES = {
    "gunicorn": lambda: cpu_seconds(lambda c: "gunicorn" in c),
    "postgres": lambda: cpu_seconds(lambda c: c.startswith("postgres:")),
    "client": client_seconds,
    "idle": idle_seconds,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="", help="a scratch PostgreSQL database (tables are dropped); "
                                                          "default: a temporary SQLite file")
    parser.add_argument("--workers", default="sync", choices=("sync", "gthread", "gthread4x4"))
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--tickets", type=int, default=30000)
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory()
    url = args.database_url or f"sqlite:///{tmp.name}/bench.sqlite3"
    token, urls, _ids = prepare(url, args.tickets)
    env = {"DATABASE_URL": url, "SECRET_KEY": SECRET, "RATELIMIT_ENABLED": "false",
           "BASE_URL": "http://localhost", "TSUNAGU_ENV": "development"}
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    fresh = iter(urls[:-4])

    def distinct(_i, _n):
        return "POST", "/api/v1/checkin", json.dumps({"code": next(fresh), "event": "bench"}), headers

    def repeat(i, _n):
        return "POST", "/api/v1/checkin", json.dumps({"code": urls[-1 - i % 4], "event": "bench"}), headers

    def hello(_i, _n):
        return "GET", "/hello", None, {}

    print(f"{args.workers} workers, {'PostgreSQL' if url.startswith('postgres') else 'SQLite'}; "
          "CPU microseconds per request")
    print(f"{'phase':<9} {'req/s':>7} " + " ".join(f"{name:>9}" for name in PARTIES))
    with Gunicorn("bench.checkin:hello_app()", args.workers, env) as hello_server, \
            Gunicorn("wsgi:app", args.workers, env) as app_server:
        load(hello_server.port, 16, hello, seconds=1.0)
        load(app_server.port, 16, repeat, seconds=1.0)  # warm, and admits the four repeat tickets
        for phase, port, request_for in (("hello", hello_server.port, hello),
                                         ("distinct", app_server.port, distinct),
                                         ("repeat", app_server.port, repeat)):
            before = {name: read() for name, read in PARTIES.items()}
            tally = load(port, 16, request_for, seconds=args.seconds)
            after = {name: read() for name, read in PARTIES.items()}
            answered = len(tally.latencies) or 1
            print(f"{phase:<9} {answered / tally.elapsed:7.0f} " + " ".join(
                f"{1e6 * (after[name] - before[name]) / answered:9.0f}" for name in PARTIES), flush=True)
    tmp.cleanup()


if __name__ == "__main__":
    main()
