"""Measure the engine against its speed and memory targets (one command, see README.md here).

    python benchmarks/run.py            # compile, latency, floor ratio, 10,000-deal screens, cold start
    python benchmarks/run.py --big      # also screen 100,000 deals (1 worker and all cores)

Prints each figure beside its target. Deals come from benchmarks/synth.py with a fixed seed, so
two runs on one machine screen the same deals. Timings are wall-clock on whatever else the
machine is doing: the load average is printed with the results.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
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

import floor
import synth

TODAY = date(2026, 11, 23)
TARGETS = {
    "evaluate_median_cpu_ms": 3.0,
    "wrapper_ratio": 2.5,
    "screen_100k_2cores_s": 200.0,
    "rss_per_worker_10k_mb": 350.0,
    "cold_start_s": 0.7,
    "copies_speedup": 4.0,
}


def machine() -> dict[str, Any]:
    from antitrust.audit import engine_release

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
        # The interpreter's build moves the wrapper's share (see README.md, eleventh round): a
        # libpython loaded as a shared library reads its thread state through the dynamic linker.
        "libpython": libpython(),
        # Which build of the engine runs (vendored and optimised, or PyPI's; vendor/README.md).
        "engine": f"durable-rules {engine_release()}",
        "platform": platform.platform(),
        "load_average_at_start": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }


def libpython() -> str:
    """How this interpreter holds libpython: "shared" when it is loaded as a shared library,
    "linked in" when the executable holds it, "?" where /proc cannot tell."""
    try:
        maps = Path("/proc/self/maps").read_text()
    except OSError:
        return "?"
    return "shared" if "libpython" in maps else "linked in"


def pct(xs: list[float], q: float) -> float:
    ys = sorted(xs)
    return ys[min(len(ys) - 1, int(q * len(ys)))]


def per_deal(fn: Callable[[Any], Any], items: list[Any], repeat: int = 1,
             clock: Callable[[], int] = time.thread_time_ns) -> list[float]:
    """Milliseconds per call for each item (the fastest of ``repeat`` runs of the whole list).

    The clock is this thread's CPU time unless told otherwise: the machine is shared, and wall
    time moves with whatever else runs on it."""
    best: list[float] | None = None
    for _ in range(repeat):
        times = []
        for x in items:
            t = clock()
            fn(x)
            times.append((clock() - t) / 1e6)
        best = times if best is None else [min(a, b) for a, b in zip(best, times, strict=True)]
    assert best is not None
    return best


def spread(ms: list[float]) -> dict[str, float]:
    return {"median": statistics.median(ms), "p95": pct(ms, 0.95), "mean": statistics.fmean(ms)}


# -- in-process figures ---------------------------------------------------------------------------

def in_process(n: int, rules: Path) -> dict[str, Any]:
    from antitrust.compiler import clear_shared, compile_rulebook, parameter_epoch
    from antitrust.deal import Deal
    from antitrust.evaluate import compiled_for, evaluate
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
        clear_shared()  # nothing compiled before: later epochs reuse the rules they compile alike
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
    out["evaluate_cpu_ms"] = spread(ev_ms)
    out["evaluate_wall_ms"] = spread(per_deal(lambda p: evaluate(p[0], book, as_of=p[1]), pairs, repeat=3,
                                              clock=time.perf_counter_ns))

    # Where the time of evaluate() goes, stage by stage.
    out["validate_ms"] = statistics.median(per_deal(Deal.model_validate, raw, repeat=3))
    flats = [lean_flatten(book, d, at) for d, at in pairs]
    out["flatten_ms"] = statistics.median(per_deal(lambda p: lean_flatten(book, *p), pairs, repeat=3))
    out["flatten_whole_ms"] = statistics.median(per_deal(
        lambda p: flatten(p[0], p[1], compiled_for(book, p[1])[0].rates, TODAY, detail=False), pairs, repeat=3))
    out["flatten_detail_ms"] = statistics.median(per_deal(
        lambda p: flatten(p[0], p[1], compiled_for(book, p[1])[0].rates, TODAY), pairs, repeat=3))

    def engine_and_record(i: int) -> None:
        session, recorder = session_and_recorder(book, *pairs[i], flats[i])
        session.run(flats[i].facts, recorder)
        recorder.finish()

    out["engine_and_recording_ms"] = statistics.median(per_deal(engine_and_record, list(range(len(pairs))), repeat=3))
    out["empty_action_ms"] = statistics.median(empty_actions(book, pairs, flats))
    evs = [evaluate(d, book, as_of=at) for d, at in pairs]
    out["firings_per_deal"] = statistics.fmean(len(e.firings) for e in evs)
    out["screen_record_ms"] = statistics.median(per_deal(_result, evs, repeat=3))
    sample = evs[: min(300, len(evs))]
    out["build_report_ms"] = statistics.median(per_deal(lambda e: build_report(e, TODAY), sample))
    out["build_report_no_margins_ms"] = statistics.median(
        per_deal(lambda e: build_report(e, TODAY, near_miss_band=None), sample))

    out["floor"] = replay_floor(book, pairs)
    out["wrapper_ratio"] = out["evaluate_cpu_ms"]["median"] / out["floor"]["median_ms"]
    out["wrapper_ratio_mean"] = out["evaluate_cpu_ms"]["mean"] / out["floor"]["mean_ms"]
    out["bound_ratio"] = (out["flatten_ms"] + out["empty_action_ms"]) / out["floor"]["median_ms"]
    return out


def lean_flatten(book: Any, deal: Any, at: date) -> Any:
    """A deal's facts as evaluate() flattens them: without provenance and conversion records
    (built when first read), the figures facts lean (only the fields the deal's ruleset reads)."""
    from antitrust.evaluate import compiled_for
    from antitrust.facts import flatten
    from antitrust.leanfacts import figure_needs

    compiled, session = compiled_for(book, at)
    return flatten(deal, at, compiled.rates, TODAY, detail=False, lean=figure_needs(compiled, session))


def session_and_recorder(book: Any, deal: Any, at: date, flat: Any) -> tuple[Any, Any]:
    """The engine session of a deal's ruleset and a new recorder for its evaluation, as
    evaluate() sets them up."""
    from antitrust.evaluate import Evaluation, _Recorder, compiled_for

    compiled, session = compiled_for(book, at)
    return session, _Recorder(Evaluation(deal=deal, as_of=at, compiled=compiled, flat=flat))


def recorded_answers(book: Any, pairs: list[Any], flats: list[Any]) -> list[list[list[dict[str, Any]]]]:
    """Per deal, what the recorder returned to each action in turn (the derived facts to assert)."""
    answers = []
    for (d, at), flat in zip(pairs, flats, strict=True):
        session, recorder = session_and_recorder(book, d, at, flat)
        given: list[list[dict[str, Any]]] = []

        def action(name: str, bound: dict[str, Any], recorder: Any = recorder, given: Any = given) -> Any:
            derived = recorder(name, bound)
            given.append(derived)
            return derived

        session.run(flat.facts, action)
        answers.append(given)
    return answers


def empty_actions(book: Any, pairs: list[Any], flats: list[Any], repeat: int = 3) -> list[float]:
    """CPU ms per deal of the engine adapter's own loop (encode the facts, read each action
    message, assert each derived fact) with an action that records nothing: it hands back the
    derived facts the recorder gave at that point, so the engine does the same work. Added to
    the flattening, this is the least any recorder could cost on this engine's interface.
    Raises when a deal's actions differ in number from the recorded ones."""
    from antitrust.evaluate import compiled_for

    answers = recorded_answers(book, pairs, flats)

    def run_one(i: int) -> None:
        _compiled, session = compiled_for(book, pairs[i][1])
        given = iter(answers[i])
        session.run(flats[i].facts, lambda _name, _bound: next(given))
        if next(given, None) is not None:
            raise AssertionError(f"deal {i}: fewer actions than recorded")

    return per_deal(run_one, list(range(len(pairs))), repeat=repeat)


def replay_floor(book: Any, pairs: list[Any]) -> dict[str, Any]:
    """The durable_rules floor of the same compiled rules: every engine call ``evaluate()`` made
    for each deal, recorded and replayed on its own (see floor.py). CPU time per deal."""
    from antitrust.evaluate import evaluate

    log = floor.Log()
    with floor.recording(log):
        for d, at in pairs:
            evaluate(d, book, as_of=at)
            log.cut()
    r = floor.measure(log)
    ms = r.pop("segments_ms")
    return {**r, "median_ms": statistics.median(ms), "p95_ms": pct(ms, 0.95), "mean_ms": statistics.fmean(ms),
            "actions_per_deal": r["actions"] / len(pairs), "calls_per_deal": r["calls"] / len(pairs)}


# -- screening in subprocesses ----------------------------------------------------------------------

def rss_of_tree(pid: int) -> tuple[int, int]:
    """Resident memory (kB) of a process and all its descendants, and of the largest of its
    descendants alone (a worker), from /proc."""
    total = largest = 0
    stack = [(pid, False)]
    while stack:
        p, child = stack.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    kb = int(line.split()[1])
                    total += kb
                    if child:
                        largest = max(largest, kb)
                    break
            for task in Path(f"/proc/{p}/task").iterdir():
                children = (task / "children").read_text().split()
                stack += [(int(c), True) for c in children]
        except (OSError, ValueError):
            continue
    return total, largest


def screen(jsonl: Path, n: int, workers: int, rules: Path, extra: tuple[str, ...] = ()) -> dict[str, Any]:
    out_file = jsonl.with_name(f"out-{n}-{workers}.jsonl")
    cmd = [sys.executable, "-m", "antitrust", "screen", str(jsonl), "--rules", str(rules), "-j", str(workers),
           "-o", str(out_file), "--today", TODAY.isoformat(), *extra]
    samples: list[tuple[int, int, int]] = []  # (bytes written, kB in all, kB of the largest worker)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.5):
            kb, worker_kb = rss_of_tree(proc.pid)
            try:
                done = out_file.stat().st_size
            except OSError:
                done = 0
            samples.append((done, kb, worker_kb))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    stop.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"screen failed ({proc.returncode}):\n{err[-2000:]}")
    lines = out_file.read_bytes().splitlines()
    size = out_file.stat().st_size
    out_file.unlink()
    # Memory once the run is warm (a tenth of the output written) against the end of the run,
    # from the samples taken while workers were alive (the last ones may see them gone).
    alive = [s for s in samples if s[2] > 0] or samples or [(0, 0, 0)]
    warm = next((s for s in alive if s[0] >= size / 10), alive[0])
    late = [s for s in alive if s[0] >= size * 0.9] or [alive[-1]]
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return {
        "deals": n, "workers": workers, "wall_s": wall, "cpu_s": cpu, "deals_per_s": n / wall,
        "records": len(lines), "output": lines,
        "rss_peak_mb": max((s[1] for s in samples), default=0) / 1024,
        "rss_warm_mb": warm[1] / 1024, "rss_end_mb": max(s[1] for s in late) / 1024,
        "rss_growth_mb": (max(s[1] for s in late) - warm[1]) / 1024,
        "rss_worker_end_mb": max(s[2] for s in late) / 1024,
        "rss_worker_growth_mb": (max(s[2] for s in late) - warm[2]) / 1024,
    }


def _timed_child(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child: user + system) of one run, output to a pipe."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.PIPE, env=env, check=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def cold_start(rules: Path, runs: int = 5) -> dict[str, Any]:
    """The whole process ``antitrust evaluate cases/meta-scale-ai.yaml``, as a user runs it twice:
    the first run fills the parse cache and writes Python's bytecode (as ``pip install`` does for
    an installed copy), the next ones read both. Bytecode goes to a temporary folder
    (``PYTHONPYCACHEPREFIX``), so the source tree is left alone and an environment that forbids
    writing it (``PYTHONDONTWRITEBYTECODE``) does not make every run compile the package again;
    that case is measured too ("no bytecode")."""
    case = ROOT / "cases" / "meta-scale-ai.yaml"
    cmd = [sys.executable, "-m", "antitrust", "evaluate", str(case), "--rules", str(rules)]
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as pyc:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(ANTITRUST_CACHE_DIR=cache, PYTHONPYCACHEPREFIX=pyc)
        samples = []
        for i in range(runs + 1):
            sample = _timed_child(cmd, env)
            if i == 0:
                out["first_run_s"] = sample[0]  # parses every file, fills the caches
            else:
                samples.append(sample)
        out["median_s"] = statistics.median(s[0] for s in samples)
        out["min_s"] = min(s[0] for s in samples)
        out["cpu_median_s"] = statistics.median(s[1] for s in samples)
        out["import_cli_s"] = _timed_child([sys.executable, "-c", "import antitrust.cli"], env)[0]
        plain = {k: v for k, v in env.items() if k != "PYTHONPYCACHEPREFIX"}
        plain["PYTHONDONTWRITEBYTECODE"] = "1"
        samples = [_timed_child(cmd, plain) for _ in range(3)]
        out["no_bytecode_median_s"] = statistics.median(s[0] for s in samples)
        out["no_bytecode_cpu_median_s"] = statistics.median(s[1] for s in samples)
    env = dict(os.environ, ANTITRUST_CACHE_DIR="off")
    out["no_cache_median_s"] = statistics.median(_timed_child(cmd, env)[0] for _ in range(3))
    return out


# -- report ---------------------------------------------------------------------------------------

def verdict(value: float, target: float) -> str:
    return "met" if value <= target else "MISSED"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Benchmark the engine against its targets.")
    ap.add_argument("--deals", type=int, default=2000, help="deals for the in-process latency figures")
    ap.add_argument("--big", action="store_true", help="also screen 100,000 deals (about 15 minutes on 2 cores)")
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000], help="batch sizes to screen")
    ap.add_argument("--workers", type=int, nargs="+", help="worker counts to screen with (default: 1 and all cores)")
    ap.add_argument("--rules", type=Path, default=ROOT / "rules")
    ap.add_argument("--json", type=Path, help="also write every figure here")
    ap.add_argument("--case-copies", type=int, default=2_600, help="deals in the screen of copies of the cases")
    ap.add_argument("--no-screen", action="store_true", help="skip the screens (in-process figures only)")
    ap.add_argument("--no-cold-start", action="store_true", help="skip the cold-start runs")
    args = ap.parse_args(argv)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    results: dict[str, Any] = {"machine": machine(), "command": " ".join(["python", *sys.argv])}
    m = results["machine"]
    print(f"machine: {m['cpu']}, {m['cores_usable']} cores, {m['memory']}, Python {m['python']} "
          f"(libpython {m['libpython']}), {m['engine']}, "
          f"load average {m['load_average_at_start']}")

    p = results["in_process"] = in_process(args.deals, args.rules)
    print(f"rulebook: {p['rules']} rules, {p['parameters']} parameters; load {p['load_rulebook_parse_s']:.2f} s "
          f"(parse), {p['load_rulebook_cached_s']:.3f} s (parse cache)")
    print(f"compile time: {p['compile_s'] * 1000:.0f} ms for one parameter epoch with nothing compiled before "
          f"({p['compiled_durable_rules']} durable rules); {p['epochs']} epochs among the deals' dates, all compiled "
          f"and registered in the engine in {p['compile_all_epochs_s']:.2f} s "
          f"({p['compile_all_epochs_s'] / max(p['epochs'], 1) * 1000:.0f} ms each)")
    e, w = p["evaluate_cpu_ms"], p["evaluate_wall_ms"]
    print(f"evaluate() per deal ({args.deals} synthetic deals, {p['firings_per_deal']:.1f} firings each on average): "
          f"CPU median {e['median']:.2f} ms, p95 {e['p95']:.2f} ms, mean {e['mean']:.2f} ms; wall median "
          f"{w['median']:.2f} ms  [target CPU median <= {TARGETS['evaluate_median_cpu_ms']:g} ms: "
          f"{verdict(e['median'], TARGETS['evaluate_median_cpu_ms'])}]")
    print(f"  stages (CPU medians): validate {p['validate_ms']:.2f} ms (before evaluate), flatten "
          f"{p['flatten_ms']:.2f} ms ({p['flatten_whole_ms']:.2f} ms whole, {p['flatten_detail_ms']:.2f} ms with provenance), engine + recording {p['engine_and_recording_ms']:.2f} ms; screen record "
          f"{p['screen_record_ms']:.2f} ms; full report {p['build_report_ms']:.2f} ms "
          f"({p['build_report_no_margins_ms']:.2f} ms without margins)")
    f = p["floor"]
    print(f"durable_rules floor (the engine calls of the same evaluations replayed, CPU): median {f['median_ms']:.2f} ms, "
          f"p95 {f['p95_ms']:.2f} ms, mean {f['mean_ms']:.2f} ms; {f['calls_per_deal']:.1f} engine calls and "
          f"{f['actions_per_deal']:.1f} actions per deal; action messages differing on replay: "
          f"{f['messages_differing']}")
    print(f"wrapper cost, evaluate() / floor: {p['wrapper_ratio']:.2f}x median, {p['wrapper_ratio_mean']:.2f}x mean  "
          f"[target <= {TARGETS['wrapper_ratio']:g}x: {verdict(p['wrapper_ratio'], TARGETS['wrapper_ratio'])}]")
    print(f"  the least a recorder could reach: flatten + the adapter's loop with an action that records nothing "
          f"({p['empty_action_ms']:.2f} ms) = {p['bound_ratio']:.2f}x the floor")

    results["screen"] = []
    if not args.no_screen:
        screens(args, cores, results["screen"])
    if args.no_cold_start:
        return finish(args, results)
    c = results["cold_start"] = cold_start(args.rules)
    print(f"cold start, antitrust evaluate cases/meta-scale-ai.yaml (whole process): median {c['median_s']:.2f} s "
          f"(CPU {c['cpu_median_s']:.2f} s), min {c['min_s']:.2f} s; first run (empty caches) {c['first_run_s']:.2f} s; "
          f"no bytecode {c['no_bytecode_median_s']:.2f} s (CPU {c['no_bytecode_cpu_median_s']:.2f} s); parse cache off "
          f"{c['no_cache_median_s']:.2f} s; 'import antitrust.cli' alone {c['import_cli_s']:.2f} s  "
          f"[target <= {TARGETS['cold_start_s']:g} s: {verdict(c['median_s'], TARGETS['cold_start_s'])}]")
    finish(args, results)


def finish(args: argparse.Namespace, results: dict[str, Any]) -> None:
    results["load_average_at_end"] = os.getloadavg() if hasattr(os, "getloadavg") else None
    print(f"load average at end: {results['load_average_at_end']}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")


def screen_line(r: dict[str, Any], what: str) -> str:
    w = r["workers"]
    return (f"screen {r['deals']:,} {what}, {w} worker{'s' if w > 1 else ''}: {r['wall_s']:.1f} s wall, "
            f"{r['cpu_s']:.1f} s CPU, {r['deals_per_s']:,.0f} deals/s; RSS peak {r['rss_peak_mb']:.0f} MB, "
            f"growth {r['rss_growth_mb']:+.1f} MB (warm {r['rss_warm_mb']:.0f} -> end {r['rss_end_mb']:.0f}); "
            f"largest worker at the end {r['rss_worker_end_mb']:.0f} MB ({r['rss_worker_growth_mb']:+.1f} MB)")


def screens(args: argparse.Namespace, cores: int, out: list[dict[str, Any]]) -> None:
    sizes = sorted(set(args.sizes) | ({100_000} if args.big else set()))
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            jsonl = Path(tmp) / f"deals-{n}.jsonl"
            with jsonl.open("w", encoding="utf-8") as fh:
                for d in synth.deals(n, seed=1):
                    fh.write(json.dumps(d, ensure_ascii=False) + "\n")
            for w in sorted(set(args.workers or {1, cores})):
                r = screen(jsonl, n, w, args.rules)
                r.pop("output")
                out.append(r)
                line = screen_line(r, "synthetic deals")
                if n == 100_000 and w == 2:
                    line += (f"  [target <= {TARGETS['screen_100k_2cores_s']:g} s on 2 workers: "
                             f"{verdict(r['wall_s'], TARGETS['screen_100k_2cores_s'])}]")
                if n >= 10_000 and w > 1:
                    line += (f"  [target <= {TARGETS['rss_per_worker_10k_mb']:g} MB per worker: "
                             f"{verdict(r['rss_worker_end_mb'], TARGETS['rss_per_worker_10k_mb'])}]")
                print(line, flush=True)
            jsonl.unlink()
        cases = Path(tmp) / "cases.jsonl"
        from antitrust.yamlio import load

        docs = [json.dumps(load(p).data, ensure_ascii=False, default=str) for p in sorted((ROOT / "cases").glob("*.yaml"))]
        with cases.open("w", encoding="utf-8") as fh:
            for i in range(args.case_copies):
                fh.write(docs[i % len(docs)] + "\n")
        # The per-deal path (--no-reuse) and the default, in turn in the same run: the same output.
        runs: dict[str, dict[str, Any]] = {}
        for label, extra in (("every deal evaluated, --no-reuse", ("--no-reuse",)), ("repeats reused", ())):
            r = screen(cases, args.case_copies, max(args.workers or [cores]), args.rules, extra)
            runs[label] = r
            out.append({**{k: v for k, v in r.items() if k != "output"}, "path": label})
            print(screen_line(r, f"copies of the {len(docs)} cases ({label})"), flush=True)
        per_deal, reused = runs.values()
        if per_deal["output"] != reused["output"]:
            raise SystemExit("the screens of the copies with and without reuse differ")
        speedup = reused["deals_per_s"] / per_deal["deals_per_s"]
        print(f"copies of the cases, reused against every deal evaluated: {speedup:.1f}x the rate, identical output  "
              f"[target >= {TARGETS['copies_speedup']:g}x: {'met' if speedup >= TARGETS['copies_speedup'] else 'MISSED'}]",
              flush=True)


if __name__ == "__main__":
    main()
