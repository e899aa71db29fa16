"""The report path: how long the CLI takes to print a report, and where the time goes.

    python benchmarks/report_path.py              # about a minute
    python benchmarks/report_path.py --runs 11 --json report-path.json

Measures, for the cases in cases/:
* rendering: each format (brief and full text, Markdown, HTML, JSON) of a whole report, including
  the brief and detail views, in-process, best and median of N;
* build_report: arranging an evaluation into a report;
* cold start: ``antitrust evaluate cases/meta-scale-ai.yaml`` as a new process writing its text
  report to a pipe, wall time and CPU time (user + system of the child), median and best of N,
  after one run that fills the rulebook parse cache and Python's bytecode (kept in a temporary
  folder), and again where bytecode may not be written; and the CPU time of importing the CLI alone;
* the brief's line count and widest line for every case.

The machine is shared: CPU time is the steadier figure; wall time is printed with the load average.
Targets (issue 13): text rendering of a whole report <= 20 ms; cold start <= 0.7 s.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "cases" / "meta-scale-ai.yaml"
TODAY = date(2026, 11, 23)


def timed(fn: Callable[[], Any], runs: int) -> dict[str, float]:
    """Best and median wall and CPU (this thread) milliseconds of ``fn`` over ``runs`` calls."""
    wall, cpu = [], []
    for _ in range(runs):
        w0, c0 = time.perf_counter(), time.thread_time()
        fn()
        cpu.append((time.thread_time() - c0) * 1000)
        wall.append((time.perf_counter() - w0) * 1000)
    return {"wall_best": min(wall), "wall_median": statistics.median(wall),
            "cpu_best": min(cpu), "cpu_median": statistics.median(cpu)}


def in_process(runs: int) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    from antitrust.evaluate import evaluate
    from antitrust.loading import load_deal
    from antitrust.render import render_html, render_json, render_markdown, render_text
    from antitrust.reporting import build_report
    from antitrust.rulebook import load_rulebook

    book = load_rulebook(ROOT / "rules")
    out: dict[str, Any] = {"render": {}, "build_report": {}, "brief_lines": {}}
    for path in sorted((ROOT / "cases").glob("*.yaml")):
        ev = evaluate(load_deal(path), book)
        report = build_report(ev, today=TODAY)
        # Every render starts from the report as built, so the brief and detail views are built each time.
        formats: dict[str, Callable[[], str]] = {
            "text brief": lambda r=report: render_text(r),
            "text full": lambda r=report: render_text(r, "full"),
            "markdown full": lambda r=report: render_markdown(r, "full"),
            "html": lambda r=report: render_html(r),
            "json": lambda r=report: render_json(r),
        }
        out["render"][path.stem] = {name: timed(fn, runs) for name, fn in formats.items()}
        out["build_report"][path.stem] = timed(lambda e=ev: build_report(e, today=TODAY), runs)
        lines = render_text(report).splitlines()
        out["brief_lines"][path.stem] = {"lines": len(lines), "widest": max(len(x) for x in lines),
                                         "full_lines": len(render_text(report, "full").splitlines())}
    return out


def _child(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, capture_output=True, check=True, env=env)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def cold_start(runs: int) -> dict[str, Any]:
    """Each command as a new process, after one run that fills the parse cache and writes Python's
    bytecode to a temporary folder (as an installed copy has it); "no bytecode" runs the evaluation
    where bytecode may not be written (``PYTHONDONTWRITEBYTECODE``), compiling the package each time."""
    evaluate_cmd = [sys.executable, "-m", "antitrust", "evaluate", str(SEED.relative_to(ROOT))]
    import_cmd = [sys.executable, "-c", "import antitrust.cli"]
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as pyc:
        cached = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        cached["PYTHONPYCACHEPREFIX"] = pyc
        plain = {k: v for k, v in os.environ.items() if k != "PYTHONPYCACHEPREFIX"}
        plain["PYTHONDONTWRITEBYTECODE"] = "1"
        for name, cmd, env in (("evaluate", evaluate_cmd, cached), ("evaluate, no bytecode", evaluate_cmd, plain),
                               ("import antitrust.cli", import_cmd, cached),
                               ("python alone", [sys.executable, "-c", "pass"], cached)):
            _child(cmd, env)  # fills the parse cache, the bytecode and the OS file cache
            samples = [_child(cmd, env) for _ in range(runs)]
            walls, cpus = [s[0] for s in samples], [s[1] for s in samples]
            out[name] = {"wall_median": statistics.median(walls), "wall_best": min(walls),
                         "cpu_median": statistics.median(cpus), "cpu_best": min(cpus)}
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Benchmark the report path (rendering, build_report, cold start).")
    ap.add_argument("--runs", type=int, default=7, help="repetitions per figure (median and best are kept)")
    ap.add_argument("--json", type=Path, help="also write every figure here")
    args = ap.parse_args(argv)
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; python {sys.version.split()[0]}")
    start = cold_start(args.runs)
    inproc = in_process(args.runs)
    print("\n| cold start | wall median | wall best | CPU median | CPU best |\n|---|---|---|---|---|")
    for name, f in start.items():
        print(f"| {name} | {f['wall_median']:.3f} s | {f['wall_best']:.3f} s | {f['cpu_median']:.3f} s | "
              f"{f['cpu_best']:.3f} s |")
    names = next(iter(inproc["render"].values())).keys()
    print("\n| case | build_report | " + " | ".join(names) + " |  (CPU ms, median)")
    print("|---" * (len(names) + 2) + "|")
    for case, figures in inproc["render"].items():
        cells = " | ".join(f"{figures[n]['cpu_median']:.1f}" for n in names)
        print(f"| {case} | {inproc['build_report'][case]['cpu_median']:.1f} | {cells} |")
    worst = max(f["text full"]["cpu_median"] for f in inproc["render"].values())
    print(f"\nslowest whole text report (full, views included): {worst:.1f} ms CPU (target <= 20 ms)")
    seed = start["evaluate"]
    print(f"cold start of the seed case: {seed['wall_median']:.3f} s wall median, {seed['cpu_median']:.3f} s CPU "
          "(target <= 0.7 s)")
    print("\n| case | brief lines | widest | full lines |\n|---|---|---|---|")
    for case, b in inproc["brief_lines"].items():
        print(f"| {case} | {b['lines']} | {b['widest']} | {b['full_lines']} |")
    if args.json:
        args.json.write_text(json.dumps({"cold_start": start, **inproc}, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
