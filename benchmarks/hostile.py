"""Time every input of the hostile-input corpus end to end, as a user runs it, and list the slowest.

    python benchmarks/hostile.py             # every case of tests/test_hostile.py, slowest first
    python benchmarks/hostile.py --top 5     # only the five slowest
    python benchmarks/hostile.py --json t.json

Each case runs as ``python -m antitrust ...`` in a fresh process (interpreter start-up and
imports included) with the parse cache off, so the figure is what a user waits for. The target
is under 2 seconds for every input. Cases that build their input (the size limit, the 520-fact
rulebook, the alias bomb's bigger sisters) are timed here too. Not part of the test suite: tests
make no timing assertions.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_hostile import CASES, _chain


def built_cases(tmp: Path) -> list[tuple[str, list[str], str]]:
    """Inputs too large for the repository: (label, command, path)."""
    big = tmp / "big.yaml"
    big.write_text("schema_version: 1\ntitle: " + "x" * (200 * 1024 * 1024) + "\n", encoding="utf-8")
    bomb = tmp / "bomb12.yaml"
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    prev = "a"
    for name in "bcdefghijkl":
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
        prev = name
    bomb.write_text("\n".join(lines) + "\n", encoding="utf-8")
    chain = _chain(tmp / "chain", 2000)
    valid = "tests/hostile/deals/valid.yaml"
    return [
        ("a 200 MB deal file", ["check"], str(big)),
        ("an alias bomb of 12 levels", ["check"], str(bomb)),
        ("2,000 derived facts: evaluate", ["evaluate", valid, "--rules"], str(chain)),
        ("2,000 derived facts: rules check", ["rules", "check"], str(chain)),
        ("2,000 derived facts: rules test", ["rules", "test"], str(chain)),
    ]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(command: list[str], path: str) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, exit code) of one run. On a shared machine the wall time
    includes waiting for a core; the CPU time does not."""
    env = {**os.environ, "ANTITRUST_CACHE_DIR": "off"}
    cpu = _children_cpu()
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "antitrust", *command, path], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False)
    return time.perf_counter() - started, _children_cpu() - cpu, proc.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=0, help="show only the N slowest")
    parser.add_argument("--json", type=Path, help="also write every timing here")
    parser.add_argument("--no-built", action="store_true", help="skip the inputs built on the fly")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        cases = [(f"{path} ({' '.join(command)})", command, path) for path, command, _code, _lines in CASES]
        if not args.no_built:
            cases += built_cases(Path(tmp))
        for label, command, path in cases:
            seconds, cpu, code = run(command, path)
            results.append({"input": label, "seconds": round(seconds, 3), "cpu": round(cpu, 3), "exit": code})
            print(f"{seconds:7.2f}s  cpu {cpu:5.2f}s  exit {code}  {label}", file=sys.stderr, flush=True)
    results.sort(key=lambda r: -float(r["seconds"]))  # type: ignore[arg-type]
    shown = results[: args.top] if args.top else results
    print(f"{len(results)} hostile inputs; slowest first (wall time, CPU time):")
    for r in shown:
        print(f"  {r['seconds']:6.2f}s  cpu {r['cpu']:5.2f}s  exit {r['exit']}  {r['input']}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
