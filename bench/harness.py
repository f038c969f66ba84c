"""What the HTTP benches share: gunicorn under a given worker class, started and warm, and a load loop.

`Gunicorn` returns only once every worker has loaded the app (see bench/gunicorn_ready.py);
`load` runs N keep-alive clients back to back for a number of requests or seconds and returns
the requests/s, p50, p99, errors and a count of each JSON `result` (or HTTP status).
"""
from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKERS = {"sync": ["--workers", "4"],
           "gthread": ["--workers", "2", "--threads", "8", "--worker-class", "gthread"],
           # The README's production line (`--workers 4 --threads 4`): an extra, opt-in data point.
           "gthread4x4": ["--workers", "4", "--threads", "4", "--worker-class", "gthread"]}
WORKER_COUNT = {"sync": 4, "gthread": 2, "gthread4x4": 4}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """`gunicorn <target>` on a free loopback port; started when every worker is ready."""

    def __init__(self, target: str, worker: str, env: dict, *, timeout: float = 60):
        self.port = free_port()
        self._ready = tempfile.TemporaryDirectory(prefix="gunicorn-ready-")
        args = [str(ROOT / ".venv/bin/gunicorn"), "-c", str(ROOT / "bench/gunicorn_ready.py"),
                "--bind", f"127.0.0.1:{self.port}", *WORKERS[worker], "--log-level", "warning",
                "--timeout", "60", "--chdir", str(ROOT), target]
        # stderr to a file, not a pipe: a pipe nobody reads fills up with a failing endpoint's
        # tracebacks and then blocks every worker that logs.
        self._stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(args, cwd=ROOT, env={**os.environ, **env, "BENCH_READY_DIR": self._ready.name},
                                     stdout=subprocess.DEVNULL, stderr=self._stderr)
        deadline = time.monotonic() + timeout
        while len(os.listdir(self._ready.name)) < WORKER_COUNT[worker]:
            if self.proc.poll() is not None:
                raise RuntimeError(self.errors())
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"gunicorn {target} did not start within {timeout} s")
            time.sleep(0.05)

    def errors(self) -> str:
        """The end of what gunicorn and the app wrote to stderr."""
        self._stderr.seek(0)
        return self._stderr.read().decode(errors="replace")[-2000:]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._ready.cleanup()
        self._stderr.close()

    def __enter__(self):
        return self

    def __exit__(self, *_exc):
        self.stop()


class Tally:
    """Latencies, errors and results gathered over several `load` calls (interleaved rounds)."""

    def __init__(self):
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.results: dict[str, int] = {}
        self.elapsed = 0.0

    def summary(self) -> dict:
        lat = sorted(self.latencies)

        def pct(p: float) -> float:
            return lat[min(len(lat) - 1, int(p / 100 * len(lat)))] * 1000 if lat else 0.0

        return {"rps": len(lat) / self.elapsed if self.elapsed else 0.0, "p50": pct(50), "p99": pct(99),
                "ok": len(lat), "errors": len(self.errors), "error_samples": self.errors[:3],
                "results": dict(self.results)}


def load(port: int, clients: int, request_for, *, tally: Tally | None = None, requests: int | None = None,
         seconds: float | None = None, first: int = 0) -> Tally:
    """`clients` keep-alive connections send requests back to back.

    `request_for(client, n)` returns (method, path, body, headers); n counts from `first` across all
    clients when `requests` bounds the run (each n used once), else per client. Stops after
    `requests` requests or `seconds`, whichever is given.
    """
    tally = tally if tally is not None else Tally()
    lock = threading.Lock()
    shared = {"next": first}
    stop_at = time.monotonic() + (seconds if seconds is not None else 3600)
    end = first + requests if requests is not None else None

    def client(index: int):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        lat, res, err = [], {}, []
        own = 0
        while time.monotonic() < stop_at:
            if end is not None:
                with lock:
                    n = shared["next"]
                    if n >= end:
                        break
                    shared["next"] += 1
            else:
                n, own = own, own + 1
            method, path, body, headers = request_for(index, n)
            started = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                payload = response.read()
            except (OSError, http.client.HTTPException) as exc:
                err.append(type(exc).__name__)
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                continue
            elapsed = time.perf_counter() - started
            if response.status >= 300:
                err.append(f"{response.status} {payload[:120]!r}")
                continue
            lat.append(elapsed)
            key = str(response.status)
            if payload.startswith(b"{"):
                data = json.loads(payload)
                key = str(data.get("result") or data.get("status") or key)
            res[key] = res.get(key, 0) + 1
        conn.close()
        with lock:
            tally.latencies.extend(lat)
            tally.errors.extend(err)
            for k, v in res.items():
                tally.results[k] = tally.results.get(k, 0) + v

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    tally.elapsed += time.perf_counter() - began
    return tally
