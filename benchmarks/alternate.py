"""Screen the same synthetic deals with two checkouts, run by run in turn, and compare.

    python benchmarks/alternate.py BEFORE AFTER                     # 10,000 deals, 2 workers, 3 rounds
    python benchmarks/alternate.py BEFORE AFTER --deals 2000 --rounds 4

BEFORE and AFTER are checkout roots (e.g. ``git worktree add /tmp/before <commit>``). Each round
runs ``python -m antitrust screen`` once with each checkout (its package and its ``rules/``), in
alternating order, and prints the wall time and the CPU time of the process and its workers. On a
machine shared with other jobs, single runs of the same code differ by 10-30%; runs side by side
see the same load, so the difference between the two checkouts shows in every round or not at
all. The screening outputs of the two checkouts must be byte-identical (checked on the last
round).
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
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import synth

TODAY = date(2026, 11, 23)


def screen(tree: Path, deals: Path, out: Path, workers: int) -> tuple[float, float]:
    """(wall s, CPU s of the screen and its workers) of one screen with ``tree``'s package and rules."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    cmd = [sys.executable, "-m", "antitrust", "screen", str(deals), "--rules", str(tree / "rules"),
           "-j", str(workers), "-o", str(out), "--today", TODAY.isoformat()]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.run(cmd, cwd=tree, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          check=False)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{tree}: screen failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--deals", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    trees = {"before": args.before.resolve(), "after": args.after.resolve()}
    for name, tree in trees.items():
        if not (tree / "antitrust").is_dir() or not (tree / "rules").is_dir():
            raise SystemExit(f"{name}: {tree} is not a checkout (no antitrust/ and rules/ in it)")
    with tempfile.TemporaryDirectory() as tmp:
        deals = Path(tmp) / "deals.jsonl"
        with deals.open("w", encoding="utf-8") as fh:
            for d in synth.deals(args.deals, seed=args.seed):
                fh.write(json.dumps(d, ensure_ascii=False) + "\n")
        print(f"{args.deals:,} synthetic deals (seed {args.seed}), {args.workers} workers, {args.rounds} rounds; "
              f"load average {os.getloadavg()[0]:.2f}")
        results: dict[str, list[tuple[float, float]]] = {name: [] for name in trees}
        for r in range(args.rounds):
            order = list(trees) if r % 2 == 0 else list(trees)[::-1]
            for name in order:
                wall, cpu = screen(trees[name], deals, Path(tmp) / f"{name}.jsonl", args.workers)
                results[name].append((wall, cpu))
                print(f"round {r + 1} {name:6}: {wall:6.1f} s wall ({args.deals / wall:5.0f} deals/s), "
                      f"{cpu:6.1f} s CPU", flush=True)
        same = (Path(tmp) / "before.jsonl").read_bytes() == (Path(tmp) / "after.jsonl").read_bytes()
        print(f"load average at the end {os.getloadavg()[0]:.2f}; outputs {'identical' if same else 'DIFFER'}")
        for name, runs in results.items():
            walls, cpus = [w for w, _c in runs], [c for _w, c in runs]
            print(f"{name:6}: wall {min(walls):.1f}-{max(walls):.1f} s (median {statistics.median(walls):.1f}), "
                  f"CPU {min(cpus):.1f}-{max(cpus):.1f} s (median {statistics.median(cpus):.1f})")
        if not same:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
