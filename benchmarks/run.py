"""Measure the engine against its speed and memory targets (one command, see README.md here).

    python benchmarks/run.py            # compile, latency, floor ratio, 10,000-deal screens, cold start
    python benchmarks/run.py --big      # also screen 100,000 deals (1 worker and all cores)

Prints each figure beside its target. Deals come from benchmarks/synth.py with a fixed seed, so
two runs on one machine screen the same deals. Timings are wall-clock on whatever else the
machine is doing: the load average is printed with the results.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import contextlib

import synth

TODAY = date(2026, 11, 23)
TARGETS = {
    "evaluate_median_ms": 1.0,
    "wrapper_ratio": 1.5,
    "screen_100k_2cores_s": 45.0,
    "rss_growth_100k_mb": 50.0,
    "cold_start_s": 1.0,
}


def machine() -> dict[str, Any]:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "memory": mem,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "load_average_at_start": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }


def pct(xs: list[float], q: float) -> float:
    ys = sorted(xs)
    return ys[min(len(ys) - 1, int(q * len(ys)))]


def per_deal(fn: Callable[[Any], Any], items: list[Any], repeat: int = 1) -> list[float]:
    """Milliseconds per call for each item (the fastest of ``repeat`` runs of the whole list)."""
    best: list[float] | None = None
    for _ in range(repeat):
        times = []
        for x in items:
            t = time.perf_counter()
            fn(x)
            times.append((time.perf_counter() - t) * 1000)
        best = times if best is None else [min(a, b) for a, b in zip(best, times, strict=True)]
    assert best is not None
    return best


# -- in-process figures ---------------------------------------------------------------------------

def in_process(n: int, rules: Path) -> dict[str, Any]:
    from antitrust.compiler import compile_rulebook, parameter_epoch
    from antitrust.deal import Deal
    from antitrust.evaluate import Evaluation, _Recorder, compiled_for, evaluate
    from antitrust.facts import flatten, relevant_date
    from antitrust.reporting import build_report
    from antitrust.rulebook import load_rulebook
    from antitrust.screening import _result

    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as cache:
        os.environ["ANTITRUST_CACHE_DIR"] = cache
        t = time.perf_counter()
        book = load_rulebook(rules)
        out["load_rulebook_parse_s"] = time.perf_counter() - t
        t = time.perf_counter()
        load_rulebook(rules)
        out["load_rulebook_cached_s"] = time.perf_counter() - t
    os.environ.pop("ANTITRUST_CACHE_DIR", None)
    out["rules"] = len(book.rules)
    out["parameters"] = len(book.parameters)
    compile_times = []
    for _ in range(5):
        t = time.perf_counter()
        compiled = compile_rulebook(book, TODAY)
        compile_times.append(time.perf_counter() - t)
    out["compile_s"] = statistics.median(compile_times)
    out["compiled_durable_rules"] = len(compiled.definition)

    raw = list(synth.deals(n, seed=11))
    deals = [Deal.model_validate(d) for d in raw]
    dates = [relevant_date(d, TODAY) for d in deals]
    epochs = {parameter_epoch(book, at) for at in dates}
    t = time.perf_counter()
    for at in sorted(set(dates)):
        compiled_for(book, at)  # compile every epoch first: latency is per deal, not per epoch
    out["epochs"] = len(epochs)
    out["compile_all_epochs_s"] = time.perf_counter() - t

    pairs = list(zip(deals, dates, strict=True))
    for d, at in pairs[:200]:
        evaluate(d, book, as_of=at)
    ev_ms = per_deal(lambda p: evaluate(p[0], book, as_of=p[1]), pairs, repeat=3)
    out["evaluate_ms"] = {"median": statistics.median(ev_ms), "p95": pct(ev_ms, 0.95), "mean": statistics.fmean(ev_ms)}

    # Where the time of evaluate() goes, stage by stage.
    out["validate_ms"] = statistics.median(per_deal(Deal.model_validate, raw, repeat=3))
    flats = [flatten(d, at, compiled_for(book, at)[0].rates) for d, at in pairs]
    out["flatten_ms"] = statistics.median(per_deal(lambda p: flatten(p[0], p[1], compiled_for(book, p[1])[0].rates),
                                                   pairs, repeat=3))

    def engine_and_record(i: int) -> None:
        d, at = pairs[i]
        compiled, session = compiled_for(book, at)
        session.run(flats[i].facts, _Recorder(Evaluation(deal=d, as_of=at, compiled=compiled, flat=flats[i])))

    out["engine_and_recording_ms"] = statistics.median(per_deal(engine_and_record, list(range(len(pairs))), repeat=3))
    evs = [evaluate(d, book, as_of=at) for d, at in pairs]
    out["firings_per_deal"] = statistics.fmean(len(e.firings) for e in evs)
    out["screen_record_ms"] = statistics.median(per_deal(_result, evs, repeat=3))
    sample = evs[: min(300, len(evs))]
    out["build_report_ms"] = statistics.median(per_deal(lambda e: build_report(e, TODAY), sample))
    out["build_report_no_margins_ms"] = statistics.median(
        per_deal(lambda e: build_report(e, TODAY, near_miss_band=None), sample))

    out["floor"] = floor(book, pairs, flats, evs)
    out["wrapper_ratio"] = out["evaluate_ms"]["median"] / out["floor"]["median_ms"]
    out["wrapper_ratio_p95"] = out["evaluate_ms"]["p95"] / out["floor"]["p95_ms"]
    return out


def floor(book: Any, pairs: list[Any], flats: list[Any], evs: list[Any]) -> dict[str, Any]:
    """The same compiled rulesets driven through durable_rules' own Python API, without the
    project's wrapper: the facts are flattened beforehand (outside the timing), each action
    only derives the fact the rule derives (so the same rules fire), nothing is recorded."""
    from durable import engine as durable

    from antitrust.engine import SEP, flatten_fact
    from antitrust.evaluate import _fill, compiled_for

    class QuietHost(durable.Host):  # type: ignore[misc]
        def _run(self) -> None:  # no background dispatch threads: everything runs in the call
            pass

    host = QuietHost()
    names: dict[str, str] = {}
    fired: list[int] = [0]
    seen: set[Any] = set()

    def action(compiled: Any, rule_name: str) -> Callable[[Any], None]:
        rule_id, variant = compiled.by_durable_name[rule_name]
        spec = compiled.rules[rule_id].rule.spec.derive
        status = "yes" if variant == "T" else "maybe"

        def run(c: Any) -> None:
            fired[0] += 1
            if spec is None:
                return
            facts: dict[str, dict[str, Any]] = {}
            for alias, fact in c._m.items():
                f: dict[str, Any] = {}
                for k, v in fact.items():
                    if SEP in k:
                        outer, _, inner = k.partition(SEP)
                        f.setdefault(outer, {})[inner] = v
                    else:
                        f[k] = v
                facts[alias] = f
            values = {k: _fill(v, facts) for k, v in spec.fields.items()}
            key = (spec.fact, status, tuple(sorted(values.items())))
            if key in seen:
                return
            seen.add(key)
            with contextlib.suppress(durable.MessageObservedException):
                c.assert_fact(flatten_fact({"t": spec.fact, "id": f"d{len(seen)}", "status": status, **values}))

        return run

    def ruleset_for(at: date) -> str:
        compiled, _session = compiled_for(book, at)
        if compiled.name not in names:
            rules = {}
            for rule_name, body in compiled.definition.items():
                rule = copy.deepcopy(body)
                rule["run"] = action(compiled, rule_name)
                rules[rule_name] = rule
            rules["sink"] = {"all": [{"x": {"$ex": {"t": 1}}}, {"y": {"t": "__never__"}}], "run": lambda c: None}
            rules["start"] = {"all": [{"m": {"t": "__start__"}}], "run": lambda c: None}
            name = f"floor-{len(names)}"
            host.register_rulesets({name: rules})
            names[compiled.name] = name
        return names[compiled.name]

    batches = []
    for (_d, at), flat in zip(pairs, flats, strict=True):
        facts = [dict(flatten_fact(f), sid="s") for f in flat.facts] + [{"t": "__start__", "id": "start", "sid": "s"}]
        batches.append((ruleset_for(at), facts))

    counts: list[int] = []

    def drive(i: int) -> None:
        name, facts = batches[i]
        seen.clear()
        fired[0] = 0
        host.assert_facts(name, [dict(f) for f in facts])
        host.delete_state(name, "s")
        counts.append(fired[0])

    for i in range(min(200, len(batches))):
        drive(i)
    counts.clear()
    ms = per_deal(drive, list(range(len(batches))), repeat=3)
    # The floor must do the engine's share of the same work: the same number of firings.
    ours = [len(e.firings) for e in evs]
    same = sum(1 for a, b in zip(counts[: len(ours)], ours, strict=False) if a >= b)
    return {"median_ms": statistics.median(ms), "p95_ms": pct(ms, 0.95),
            "deals_with_at_least_our_firings": f"{same}/{len(ours)}"}


# -- screening in subprocesses ----------------------------------------------------------------------

def rss_of_tree(pid: int) -> int:
    """Resident memory (kB) of a process and all its descendants, from /proc."""
    total = 0
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
                    break
            for task in Path(f"/proc/{p}/task").iterdir():
                children = (task / "children").read_text().split()
                stack += [int(c) for c in children]
        except (OSError, ValueError):
            continue
    return total


def screen(jsonl: Path, n: int, workers: int, rules: Path) -> dict[str, Any]:
    out_file = jsonl.with_name(f"out-{n}-{workers}.jsonl")
    cmd = [sys.executable, "-m", "antitrust", "screen", str(jsonl), "--rules", str(rules), "-j", str(workers),
           "-o", str(out_file), "--today", TODAY.isoformat()]
    samples: list[tuple[int, int]] = []  # (lines written, kB)
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.5):
            kb = rss_of_tree(proc.pid)
            try:
                done = out_file.stat().st_size
            except OSError:
                done = 0
            samples.append((done, kb))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - t
    stop.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"screen failed ({proc.returncode}):\n{err[-2000:]}")
    lines = sum(1 for _ in out_file.open())
    size = out_file.stat().st_size
    out_file.unlink()
    # Memory once the run is warm (a tenth of the output written) against the end of the run.
    warm = next((kb for done, kb in samples if done >= size / 10), samples[0][1] if samples else 0)
    late = [kb for done, kb in samples if done >= size * 0.9] or [samples[-1][1] if samples else 0]
    return {
        "deals": n, "workers": workers, "wall_s": wall, "deals_per_s": n / wall, "records": lines,
        "rss_peak_mb": max((kb for _, kb in samples), default=0) / 1024,
        "rss_warm_mb": warm / 1024, "rss_end_mb": max(late) / 1024,
        "rss_growth_mb": (max(late) - warm) / 1024,
    }


def cold_start(rules: Path, runs: int = 5) -> dict[str, Any]:
    case = ROOT / "cases" / "meta-scale-ai.yaml"
    cmd = [sys.executable, "-m", "antitrust", "evaluate", str(case), "--rules", str(rules)]
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, ANTITRUST_CACHE_DIR=cache)
        times = []
        for i in range(runs + 1):
            t = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, env=env, check=True)
            times.append(time.perf_counter() - t)
            if i == 0:
                out["first_run_s"] = times.pop()  # parses every file and fills the cache
        out["median_s"] = statistics.median(times)
        out["min_s"] = min(times)
    env = dict(os.environ, ANTITRUST_CACHE_DIR="off")
    times = []
    for _ in range(3):
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, env=env, check=True)
        times.append(time.perf_counter() - t)
    out["no_cache_median_s"] = statistics.median(times)
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import antitrust.cli"], check=True)
    out["import_cli_s"] = time.perf_counter() - t
    return out


# -- report ---------------------------------------------------------------------------------------

def verdict(value: float, target: float) -> str:
    return "met" if value <= target else "MISSED"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Benchmark the engine against its targets.")
    ap.add_argument("--deals", type=int, default=2000, help="deals for the in-process latency figures")
    ap.add_argument("--big", action="store_true", help="also screen 100,000 deals (about 15 minutes on 2 cores)")
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000], help="batch sizes to screen")
    ap.add_argument("--rules", type=Path, default=ROOT / "rules")
    ap.add_argument("--json", type=Path, help="also write every figure here")
    args = ap.parse_args(argv)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    results: dict[str, Any] = {"machine": machine(), "command": " ".join(["python", *sys.argv])}
    m = results["machine"]
    print(f"machine: {m['cpu']}, {m['cores_usable']} cores, {m['memory']}, Python {m['python']}, "
          f"load average {m['load_average_at_start']}")

    p = results["in_process"] = in_process(args.deals, args.rules)
    print(f"rulebook: {p['rules']} rules, {p['parameters']} parameters; load {p['load_rulebook_parse_s']:.2f} s "
          f"(parse), {p['load_rulebook_cached_s']:.3f} s (parse cache)")
    print(f"compile time: {p['compile_s'] * 1000:.0f} ms per parameter epoch ({p['compiled_durable_rules']} durable "
          f"rules); {p['epochs']} epochs among the deals' dates, all compiled in {p['compile_all_epochs_s']:.2f} s")
    e = p["evaluate_ms"]
    print(f"evaluate() per deal ({args.deals} synthetic deals, {p['firings_per_deal']:.1f} firings each on average): "
          f"median {e['median']:.2f} ms, p95 {e['p95']:.2f} ms  [target median <= 1 ms: "
          f"{verdict(e['median'], TARGETS['evaluate_median_ms'])}]")
    print(f"  stages (medians): validate {p['validate_ms']:.2f} ms (before evaluate), flatten {p['flatten_ms']:.2f} ms, "
          f"engine + recording {p['engine_and_recording_ms']:.2f} ms; screen record {p['screen_record_ms']:.2f} ms; "
          f"full report {p['build_report_ms']:.2f} ms ({p['build_report_no_margins_ms']:.2f} ms without margins)")
    f = p["floor"]
    print(f"durable_rules floor (same rulesets, pre-flattened facts, minimal actions): median {f['median_ms']:.2f} ms, "
          f"p95 {f['p95_ms']:.2f} ms (floor fired at least as often on {f['deals_with_at_least_our_firings']} deals)")
    print(f"wrapper cost, evaluate() / floor: {p['wrapper_ratio']:.2f}x median, {p['wrapper_ratio_p95']:.2f}x p95  "
          f"[target <= 1.5x: {verdict(p['wrapper_ratio'], TARGETS['wrapper_ratio'])}]")

    sizes = sorted(set(args.sizes) | ({100_000} if args.big else set()))
    results["screen"] = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            jsonl = Path(tmp) / f"deals-{n}.jsonl"
            with jsonl.open("w", encoding="utf-8") as fh:
                for d in synth.deals(n, seed=1):
                    fh.write(json.dumps(d, ensure_ascii=False) + "\n")
            for w in sorted({1, cores}):
                r = screen(jsonl, n, w, args.rules)
                results["screen"].append(r)
                line = (f"screen {n:,} deals, {w} worker{'s' if w > 1 else ''}: {r['wall_s']:.1f} s, "
                        f"{r['deals_per_s']:,.0f} deals/s; RSS peak {r['rss_peak_mb']:.0f} MB, "
                        f"growth {r['rss_growth_mb']:+.1f} MB (warm {r['rss_warm_mb']:.0f} -> end {r['rss_end_mb']:.0f})")
                if n == 100_000 and w == cores:
                    line += (f"  [target <= 45 s on 2 cores: {verdict(r['wall_s'], TARGETS['screen_100k_2cores_s'])}; "
                             f"RSS growth < 50 MB: {verdict(r['rss_growth_mb'], TARGETS['rss_growth_100k_mb'])}]")
                print(line, flush=True)
            jsonl.unlink()

    c = results["cold_start"] = cold_start(args.rules)
    print(f"cold start, antitrust evaluate cases/meta-scale-ai.yaml (whole process): median {c['median_s']:.2f} s, "
          f"min {c['min_s']:.2f} s; first run (empty parse cache) {c['first_run_s']:.2f} s; parse cache off "
          f"{c['no_cache_median_s']:.2f} s; 'import antitrust.cli' alone {c['import_cli_s']:.2f} s  "
          f"[target <= 1 s: {verdict(c['median_s'], TARGETS['cold_start_s'])}]")
    results["load_average_at_end"] = os.getloadavg() if hasattr(os, "getloadavg") else None
    print(f"load average at end: {results['load_average_at_end']}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
