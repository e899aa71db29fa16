"""Instructions per `evaluate()`, counted by valgrind's callgrind: the one figure that other jobs on
a shared machine do not move (CPU times here vary by 10-30% between runs of the same code).

    python benchmarks/instructions.py            # 60 synthetic deals of the commonest parameter epoch
    python benchmarks/instructions.py --deals 30

Run it from a checkout's root (it evaluates with that checkout's `rules/`; `PYTHONPATH` chooses
the package). Runs the same script twice under callgrind, with 0 and with 2 timed passes over the deals after a
warm one, and prints (difference) / (2 x deals): start-up, rulebook loading and compilation cancel
out. Needs valgrind; takes about 3 minutes per run of 60 deals.
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TODAY = date(2026, 11, 23)


def passes(count: int, passes: int) -> None:
    """The measured program: load, pick the deals, evaluate once warm, then ``passes`` times."""
    sys.path.insert(0, str(HERE))
    import synth

    from antitrust.compiler import parameter_epoch
    from antitrust.deal import Deal
    from antitrust.evaluate import evaluate
    from antitrust.rulebook import load_rulebook
    from antitrust.timeline import law_date

    book = load_rulebook(Path.cwd() / "rules")
    deals = [Deal.model_validate(d) for d in synth.deals(1_000, seed=11)]
    epochs = [parameter_epoch(book, law_date(d, TODAY, book).at) for d in deals]
    common = collections.Counter(epochs).most_common(1)[0][0]
    chosen = [d for d, e in zip(deals, epochs, strict=True) if e == common][:count]
    for _ in range(1 + passes):
        for deal in chosen:
            evaluate(deal, book, today=TODAY)


def counted(count: int, n: int) -> int:
    cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, __file__,
           "--run", str(n), "--deals", str(count)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=Path.cwd())
    found = re.search(r"Collected : (\d+)", out.stderr)
    if found is None:
        raise SystemExit(f"callgrind printed no total:\n{out.stderr[-2000:]}")
    return int(found.group(1))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--deals", type=int, default=60)
    ap.add_argument("--run", type=int, help=argparse.SUPPRESS)  # the measured program, with this many passes
    args = ap.parse_args()
    if args.run is not None:
        passes(args.deals, args.run)
        return
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    base = counted(args.deals, 0)
    timed = counted(args.deals, 2)
    per = (timed - base) / (2 * args.deals)
    print(json.dumps({"deals": args.deals, "instructions_per_evaluate": round(per)}))
    print(f"{per / 1e6:.2f} million instructions per evaluate() ({args.deals} deals of one parameter epoch)")


if __name__ == "__main__":
    main()
