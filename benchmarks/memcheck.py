"""The engine's memory safety: screen synthetic deals under valgrind's memcheck and report every
invalid read or write and every use of uninitialised memory, by the function it happened in.

```
python benchmarks/memcheck.py                 # 100 deals, about 2 minutes
python benchmarks/memcheck.py --deals 300     # more deals, more parameter epochs
```

The deals are screened in one process the way a screening worker does it (``screen_items`` in
chunks of 32), with Python's own allocator switched off (``PYTHONMALLOC=malloc``) so that
memcheck sees every allocation. Exit status 1 when memcheck found an error in the engine
(``durable_rules_engine``), 0 otherwise; Python's own start-up is not counted.

Why it exists: the released engine's retraction (``retract_facts``) walks past the end of a
frame's message table in ``deleteMessageFromFrame``, reading and possibly writing memory it does
not own. The adapter reused session states by retracting a deal's facts until this was found, and
a screening worker died now and then with a fault in Python's allocator. The adapter no longer
retracts; this script shows that what it does call stays within the engine's own memory.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

_CHILD = """
import sys
from datetime import date
from antitrust import screening
from antitrust.screening import Item, init_worker, screen_items
init_worker(sys.argv[1], None, date(2026, 11, 23), quiet_interrupts=False)
lines = open(sys.argv[2], encoding="utf-8").read().splitlines()
items = [Item("synthetic.jsonl", i + 1, "json", line) for i, line in enumerate(lines)]
for start in range(0, len(items), 32):
    screen_items(items[start:start + 32], screening._worker)
print("screened", len(items))
"""

#: The first line of a memcheck error, and the first frame under it.
_KIND = re.compile(r"^==\d+== (Invalid (?:read|write|free)[^\n]*|Conditional jump[^\n]*|Use of uninitialised[^\n]*)$")
_FRAME = re.compile(r"^==\d+==    (?:at|by) 0x[0-9A-F]+: (\S+) \((?:in )?([^)]*)\)")


def errors(log: str) -> Counter[tuple[str, str, str]]:
    """(kind, function, object) of the first frame of each error, counted once per context
    (memcheck reports each context's first occurrence in full)."""
    found: Counter[tuple[str, str, str]] = Counter()
    lines = log.splitlines()
    for i, line in enumerate(lines):
        kind = _KIND.match(line)
        if kind is None:
            continue
        frame = _FRAME.match(lines[i + 1]) if i + 1 < len(lines) else None
        function, where = (frame.group(1), frame.group(2)) if frame else ("?", "?")
        found[(kind.group(1).split(" of size")[0], function, Path(where.split(":")[0]).name)] += 1
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deals", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rules", default=str(ROOT / "rules"))
    args = parser.parse_args(argv)
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        print("memcheck.py: valgrind is not installed (apt-get install valgrind)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        deals = Path(tmp) / "deals.jsonl"
        with deals.open("w", encoding="utf-8") as fh:
            subprocess.run([sys.executable, str(HERE / "synth.py"), str(args.deals), "--seed", str(args.seed)],
                           stdout=fh, check=True)
        child = Path(tmp) / "child.py"
        child.write_text(_CHILD, encoding="utf-8")
        log = Path(tmp) / "memcheck.log"
        env = dict(os.environ, PYTHONMALLOC="malloc")
        done = subprocess.run([valgrind, "--tool=memcheck", "--error-limit=no", f"--log-file={log}",
                               sys.executable, str(child), args.rules, str(deals)],
                              env=env, capture_output=True, text=True, check=False)
        text = log.read_text(encoding="utf-8", errors="replace")
    if done.returncode != 0:
        print(f"memcheck.py: the screen failed (exit {done.returncode}): {done.stderr.strip()[-500:]}",
              file=sys.stderr)
        return 2
    summary = re.search(r"ERROR SUMMARY: (\d+) errors from (\d+) contexts", text)
    found = errors(text)
    engine = {k: n for k, n in found.items() if "durable_rules_engine" in k[2]}
    print(f"{done.stdout.strip()} deals under memcheck: "
          f"{summary.group(1) if summary else '?'} errors from {summary.group(2) if summary else '?'} contexts")
    for (kind, function, where), n in sorted(found.items()):
        print(f"  {kind} in {function} ({where}): {n} context{'s' if n > 1 else ''}")
    contexts = sum(engine.values())
    print("in the engine: " + ("none" if not contexts else f"{contexts} error context{'s' if contexts > 1 else ''}"))
    return 1 if engine else 0


if __name__ == "__main__":
    raise SystemExit(main())
