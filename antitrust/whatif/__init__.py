"""What-if analysis: counterfactual facts, sweeps, and the smallest changes that flip a verdict.

Every answer here comes from real evaluations: a changed deal is a new :class:`Deal` (the
original's data with the change applied, validated again), evaluated by the same pure
``evaluate(deal, rulebook, as_of)``. Nothing edits a file and nothing is inferred.

- :mod:`antitrust.whatif.paths`: PATH=VALUE assignments (the path grammar is described there);
- :mod:`antitrust.whatif.compare`: a deal as given against the same deal as changed;
- :mod:`antitrust.whatif.sweep`: one numeric field over a range of values;
- :mod:`antitrust.whatif.flips`: the smallest changes that change an outcome.
"""

from antitrust.whatif.compare import (
    BandRow,
    FindingChange,
    ParamChange,
    Scenario,
    VerdictRow,
    WhatIf,
    compare,
    deciding_rules,
    what_if,
)
from antitrust.whatif.flips import (
    DEFAULT_FLIPS_PER_TARGET,
    DEFAULT_TIME_LIMIT,
    Edit,
    Flip,
    FlipChange,
    Flips,
    FlipTarget,
    find_flips,
)
from antitrust.whatif.paths import (
    LIST_KEYS,
    UPPER_KEYS,
    Assignment,
    Step,
    WhatIfError,
    apply_changes,
    describe,
    parse_path,
    parse_set,
    read_value,
    value_at,
)
from antitrust.whatif.sweep import (
    MAX_SWEEP_POINTS,
    Sweep,
    SweepColumn,
    SweepRow,
    parse_range,
    sweep,
)

__all__ = [
    "DEFAULT_FLIPS_PER_TARGET",
    "DEFAULT_TIME_LIMIT",
    "LIST_KEYS",
    "MAX_SWEEP_POINTS",
    "UPPER_KEYS",
    "Assignment",
    "BandRow",
    "Edit",
    "FindingChange",
    "Flip",
    "FlipChange",
    "FlipTarget",
    "Flips",
    "ParamChange",
    "Scenario",
    "Step",
    "Sweep",
    "SweepColumn",
    "SweepRow",
    "VerdictRow",
    "WhatIf",
    "WhatIfError",
    "apply_changes",
    "compare",
    "deciding_rules",
    "describe",
    "find_flips",
    "parse_path",
    "parse_range",
    "parse_set",
    "read_value",
    "sweep",
    "value_at",
    "what_if",
]
