"""Web benchmark: wrk (a separate process) against ``paperscope serve --workers 2`` on the demo.

Measures requests/s and p50/p99 latency for the feed page, a paper page, the search page and
the daily papers API, over loopback only, each for a bounded time. Needs ``wrk``
(``apt-get install -y wrk``).

    python bench/web.py                     # temp data dir with the demo corpus
    python bench/web.py --data-dir data --duration 10 --record docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

TARGETS = [
    ("feed page `/`", "/"),
    ("paper page `/papers/{id}`", "/papers/2608.19880"),
    ("search page `/search?q=`", "/search?q=diffusion+transformer"),
    ("API `/api/daily_papers`", "/api/daily_papers?date=2026-08-21"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def paperscope(*args: str, env: dict[str, str], **kwargs: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "paperscope", *args], env=env, text=True, **kwargs
    )  # type: ignore[call-overload,no-any-return]


def wait_ready(base: str, process: subprocess.Popen[str], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("the server exited before answering")
        try:
            if httpx.get(base + "/", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.3)
    raise SystemExit("the server did not answer in time")


def to_ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text.strip()).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def server_cpu_seconds(server: subprocess.Popen[str]) -> float:
    """CPU time (user + system) used so far by the server and its worker processes."""
    import psutil

    parent = psutil.Process(server.pid)
    total = 0.0
    for process in [parent, *parent.children(recursive=True)]:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def run_wrk(url: str, *, duration: int, connections: int, threads: int) -> dict[str, float]:
    done = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", url],
        capture_output=True,
        text=True,
        timeout=duration + 60,
        check=True,
    )
    out = done.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])  # type: ignore[index]
    p50 = to_ms(re.search(r"50%\s+(\S+)", out)[1])  # type: ignore[index]
    p99 = to_ms(re.search(r"99%\s+(\S+)", out)[1])  # type: ignore[index]
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    total = int(re.search(r"(\d+) requests in", out)[1])  # type: ignore[index]
    return {
        "rps": rps,
        "p50": p50,
        "p99": p99,
        "requests": total,
        "errors": int(errors[1]) if errors else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="Data dir (default: a temp dir + demo).")
    parser.add_argument("--duration", type=int, default=10, help="Seconds per endpoint.")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads.")
    parser.add_argument("--workers", type=int, default=2, help="Server worker processes.")
    parser.add_argument("--record", type=Path, help="Write the results into this markdown file.")
    parser.add_argument("--note", default="", help="A sentence recorded with the figures.")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk not found: apt-get install -y wrk")

    temp = None
    data_dir = args.data_dir
    if data_dir is None:
        temp = tempfile.TemporaryDirectory(prefix="paperscope-bench-web-")
        data_dir = Path(temp.name)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERSCOPE_")}
    env["PAPERSCOPE_DATA_DIR"] = str(data_dir)
    subprocess.run([sys.executable, "-m", "paperscope", "demo"], env=env, check=True)
    subprocess.run(
        [sys.executable, "-m", "paperscope", "index", "sync"], env=env, check=False
    )  # build the search index once, before the workers open it

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = paperscope(
        "serve",
        "--port",
        str(port),
        "--workers",
        str(args.workers),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    results = {}
    load_before = os.getloadavg()[0]
    try:
        wait_ready(base, server)
        for _label, path in TARGETS:  # warm every worker: caches, search index, embedder
            for _ in range(8 * args.workers):
                httpx.get(base + path, timeout=60)
        for label, path in TARGETS:
            cpu_before = server_cpu_seconds(server)
            results[label] = run_wrk(
                base + path,
                duration=args.duration,
                connections=args.connections,
                threads=args.threads,
            )
            r = results[label]
            # CPU per request is what the machine's other tenants disturb least: 2 free
            # cores would serve about 2000 / cpu_ms requests a second.
            r["cpu_ms"] = (server_cpu_seconds(server) - cpu_before) * 1000 / max(1, r["requests"])
            print(
                f"{label:32} {r['rps']:8.1f} req/s  p50 {r['p50']:7.1f} ms  "
                f"p99 {r['p99']:7.1f} ms  cpu {r['cpu_ms']:.2f} ms/req  "
                f"({r['requests']:.0f} requests, "
                f"{r['errors']:.0f} non-2xx)",
                flush=True,
            )
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        if temp is not None:
            temp.cleanup()

    load_after = os.getloadavg()[0]
    print(f"1-minute load average: {load_before:.1f} before, {load_after:.1f} after")
    if args.record:
        record_results(args, results, (load_before, load_after))


def record_results(
    args: argparse.Namespace, results: dict[str, dict[str, float]], load: tuple[float, float]
) -> None:
    """Write the figures into the ``web`` section of the benchmarks file."""
    import record

    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"Run {stamp}: `python bench/web.py --duration {args.duration} "
        f"--connections {args.connections}` (wrk -t{args.threads} -c{args.connections} in its own "
        f"process against `paperscope serve --workers {args.workers}`, demo corpus in SQLite, "
        f"loopback only; {os.cpu_count()} cores, {platform.platform()}, "
        f"Python {platform.python_version()}); 1-minute load average {load[0]:.1f} before, "
        f"{load[1]:.1f} after (the load generator shares the {os.cpu_count()} cores with the "
        "server).",
        "",
        "Targets on 2 cores: feed page >= 500 req/s with p99 <= 100 ms; search >= 100 req/s.",
        "",
        "| endpoint | req/s | p50 ms | p99 ms | server CPU ms/request | requests | non-2xx |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, r in results.items():
        lines.append(
            f"| {label} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p99']:.1f} | "
            f"{r['cpu_ms']:.2f} | {r['requests']:.0f} | {r['errors']:.0f} |"
        )
    lines.append("")
    lines.append(NOTES + (" " + args.note if args.note else ""))
    record.section(args.record, "web", "Web (pages and API under load)", "\n".join(lines))


NOTES = (
    "Server CPU ms/request is the CPU time of the server's processes divided by the requests "
    "served: on two otherwise idle cores the server would answer about 2000 / that figure "
    "requests a second. Feed, trending and API list data is reused for `feed_cache_seconds` "
    "(2 s) per worker; the search page runs the hybrid search on every request."
)


if __name__ == "__main__":
    main()
