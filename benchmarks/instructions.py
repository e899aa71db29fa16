"""Instructions per `evaluate()`, counted by valgrind's callgrind: the one figure that other jobs on
a shared machine do not move (CPU times here vary by 10-30% between runs of the same code).

    python benchmarks/instructions.py            # 60 synthetic deals of the commonest parameter epoch
    python benchmarks/instructions.py --deals 30
    python benchmarks/instructions.py --by-library   # also split them by the library they ran in

Run it from a checkout's root (it evaluates with that checkout's `rules/`; `PYTHONPATH` chooses
the package). Runs the same script twice under callgrind, with 0 and with 2 timed passes over the deals after a
warm one, and prints (difference) / (2 x deals): start-up, rulebook loading and compilation cancel
out. Needs valgrind; takes about 3 minutes per run of 60 deals. ``--by-library`` also splits the
difference by the shared object each instruction ran in (``callgrind_annotate``, from valgrind):
the interpreter (the executable and libpython), the engine, libc, the dynamic linker, and each
extension module by name.
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import shutil
import subprocess
import sys
import tempfile
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


def counted(count: int, n: int, out_file: str = "/dev/null") -> int:
    cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out_file}", sys.executable, __file__,
           "--run", str(n), "--deals", str(count)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=Path.cwd())
    found = re.search(r"Collected : (\d+)", out.stderr)
    if found is None:
        raise SystemExit(f"callgrind printed no total:\n{out.stderr[-2000:]}")
    return int(found.group(1))


#: Shared objects with a name of their own in the split (a substring of the object's file name).
_LIBRARIES = (("durable_rules_engine", "the engine (durable_rules_engine)"), ("libc.so", "libc"),
              ("ld-linux", "the dynamic linker (ld.so)"), ("libpython", "the interpreter"))
#: A line of ``callgrind_annotate``'s function table: count, share, then file:function, with the
#: shared object in brackets (left out where it is the executable's own code).
_LINE = re.compile(r"\s*([\d,]+) \(\s*[\d.]+%\)\s+.*?(?: \[([^\]]+)\])?$")


def by_library(path: str) -> collections.Counter[str]:
    """Instructions of a callgrind output file per shared object (see :func:`split_annotated`)."""
    out = subprocess.run(["callgrind_annotate", "--auto=no", "--threshold=100", path],
                         capture_output=True, text=True, check=True).stdout
    return split_annotated(out)


def split_annotated(out: str) -> collections.Counter[str]:
    """``callgrind_annotate``'s function table summed per shared object: the named ones of
    _LIBRARIES, the executable's own code (no object) as the interpreter, others by file name."""
    table = out.split("file:function", 1)[1] if "file:function" in out else ""
    split: collections.Counter[str] = collections.Counter()
    for line in table.splitlines():
        found = _LINE.match(line)
        if found is None:
            continue
        count, obj = int(found.group(1).replace(",", "")), found.group(2)
        name = "the interpreter" if obj is None else next(
            (label for key, label in _LIBRARIES if key in obj), Path(obj).name.split(".")[0])
        split[name] += count
    return split


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--deals", type=int, default=60)
    ap.add_argument("--by-library", action="store_true", help="also split the instructions by shared object")
    ap.add_argument("--run", type=int, help=argparse.SUPPRESS)  # the measured program, with this many passes
    args = ap.parse_args()
    if args.run is not None:
        passes(args.deals, args.run)
        return
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    with tempfile.TemporaryDirectory() as tmp:
        files = [f"{tmp}/callgrind.{n}.out" if args.by_library else "/dev/null" for n in (0, 2)]
        base = counted(args.deals, 0, files[0])
        timed = counted(args.deals, 2, files[1])
        per = (timed - base) / (2 * args.deals)
        split: dict[str, float] = {}
        if args.by_library:
            before, after = by_library(files[0]), by_library(files[1])
            split = {name: (after[name] - before[name]) / (2 * args.deals) for name in after | before}
    # Objects under 0.1% of the total (start-up's modules, which cancel out) are left out.
    shown = {k: v for k, v in sorted(split.items(), key=lambda kv: -kv[1]) if abs(v) >= 0.001 * per}
    print(json.dumps({"deals": args.deals, "instructions_per_evaluate": round(per),
                      **({"by_library": {k: round(v) for k, v in shown.items()}} if split else {})}))
    print(f"{per / 1e6:.2f} million instructions per evaluate() ({args.deals} deals of one parameter epoch)")
    for name, count in shown.items():
        print(f"  {name:36s} {count / 1e6:6.2f} million  {count / per:6.1%}")


if __name__ == "__main__":
    main()
