"""Load a rulebook (rule files and parameter files) and check it before anything runs.

Every problem is reported as ``path:line:col: message`` with a did-you-mean where one helps,
and all problems found in one pass are reported together.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from antitrust import expr as ex
from antitrust import reasons
from antitrust.errors import InputError, InputErrors, Location, RulebookError
from antitrust.params import Parameter, ParameterFile
from antitrust.presumptions import check_presumptions
from antitrust.regimes import Regime, RegimeFile, TheoryDecl, implicit_regime, implicit_theory
from antitrust.rulespec import OverallTable, PresumptionSpec, Rule, RuleFile
from antitrust.validation import did_you_mean, validate_document
from antitrust.vocabulary import FACT_TYPES, RESERVED, FieldSpec, compatible_units
from antitrust.yamlio import Document, load

Reporter = Callable[[int, str], None]
#: The largest number a condition may compare with (amounts in KRW or JPY stay far below it).
MAX_CONSTANT = 1e18


@dataclass(frozen=True)
class LoadedRule:
    """A rule with its parsed condition and where it was written."""

    spec: Rule
    condition: ex.Expr
    location: Location
    when_location: Location
    #: (offset in the parsed condition, file line, file column) where each source line of a
    #: multi-line ``when:`` starts, so a column of the condition maps back into the file.
    when_map: tuple[tuple[int, int, int], ...] = ()

    @property
    def id(self) -> str:
        return self.spec.id

    def at(self, col: int) -> Location:
        """The file position of column ``col`` (0-based) of the parsed condition."""
        return condition_position(self.when_location, self.when_map, col)


@dataclass(frozen=True)
class DerivedFact:
    """A fact that rules derive: its name, fields with kinds, and the rules producing it."""

    name: str
    fields: dict[str, FieldSpec]
    producers: tuple[str, ...]


@dataclass(frozen=True)
class Rulebook:
    rules: tuple[LoadedRule, ...]
    parameters: dict[str, Parameter]
    derived: dict[str, DerivedFact]
    files: tuple[str, ...]
    content_hash: str
    parameter_locations: dict[str, Location] = field(default_factory=dict)
    #: The overall-risk table, if a rule file declares one.
    overall: OverallTable | None = None
    #: Regimes by code and theories by id, in declaration (report) order.
    regimes: dict[str, Regime] = field(default_factory=dict)
    theories: dict[str, TheoryDecl] = field(default_factory=dict)
    regime_locations: dict[str, Location] = field(default_factory=dict)
    #: Presumptions declared in rule files (``presumptions:``), in id order, and where each is written.
    presumptions: tuple[PresumptionSpec, ...] = ()
    presumption_locations: dict[str, Location] = field(default_factory=dict)

    def regime(self, code: str) -> Regime:
        return self.regimes.get(code) or implicit_regime(code)

    def theory_title(self, theory: str) -> str:
        return (self.theories.get(theory) or implicit_theory(theory)).title

    def rule(self, rule_id: str) -> LoadedRule:
        return next(r for r in self.rules if r.id == rule_id)


def _files(paths: Sequence[str | Path]) -> list[Path]:
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(x for x in p.rglob("*") if x.suffix in {".yaml", ".yml", ".json"} and x.is_file()
                          and not is_scenario_file(x))
        else:
            out.append(p)
    return out


def _hash_name(path: Path, roots: Sequence[str | Path]) -> str:
    """The name a file enters the content hash under: relative to the folder it was found in, so
    the same rules give the same hash (and byte-identical reports) in any checkout."""
    for root in map(Path, roots):
        if root.is_dir():
            try:
                return path.relative_to(root).as_posix()
            except ValueError:
                continue
    return path.name


def is_scenario_file(path: Path) -> bool:
    """``*.tests.yaml`` beside rule files hold scenario tests (run by ``antitrust rules test``)."""
    return path.name.endswith((".tests.yaml", ".tests.yml", ".tests.json"))


def load_rulebook(paths: Sequence[str | Path] | str | Path = "rules", *, check: bool = True) -> Rulebook:
    """Load every rule and parameter file under ``paths`` and check the whole rulebook.

    With ``check`` (the default) the error-level analyses of ``rules check`` run too (see
    :mod:`antitrust.rulegate`), so no path evaluates a rulebook the checker rejects; the checker
    itself loads with ``check=False`` and reports them with the rest of its findings."""
    if isinstance(paths, str | Path):
        paths = [paths]
    files = _files(paths)
    if not files:
        raise RulebookError(Location(", ".join(map(str, paths))), "no rule files found (*.yaml, *.json)")
    errors: list[InputError] = []
    rules: list[LoadedRule] = []
    parameters: dict[str, Parameter] = {}
    param_locations: dict[str, Location] = {}
    overall: OverallTable | None = None
    presumed: list[tuple[PresumptionSpec, Location, Location]] = []
    declared = _Declared()
    digest = hashlib.sha256()
    for path in files:
        try:
            doc = load(path)
        except InputError as exc:
            errors.append(RulebookError(exc.location, exc.message))
            continue
        digest.update(_hash_name(path, paths).encode() + b"\0" + Path(path).read_bytes() + b"\0")
        data = doc.data
        if isinstance(data, dict) and "parameters" in data:
            _load_params(doc, parameters, param_locations, errors)
        elif isinstance(data, dict) and ("rules" in data or "bands" in data or "overall" in data
                                         or "presumptions" in data):
            table = _load_rules(doc, rules, errors, presumed)
            if table is not None:
                if overall is not None:
                    errors.append(RulebookError(doc.locate(("overall",)), "a second overall-risk table; "
                                                "a rulebook has one"))
                overall = table
        elif isinstance(data, dict) and ("regimes" in data or "theories" in data):
            declared.load(doc, errors)
        else:
            errors.append(RulebookError(
                doc.locate(()), "expected a rule file (top-level 'rules:'), a parameter file ('parameters:') "
                "or a regimes file ('regimes:', 'theories:')"
            ))
    if not declared.seen_regimes:
        nearest = nearest_regimes_file(paths)
        if nearest is not None:
            try:
                doc = load(nearest)
                digest.update(b"regimes\0" + nearest.read_bytes() + b"\0")
                declared.load(doc, errors)
            except InputError as exc:
                errors.append(RulebookError(exc.location, exc.message))
    regimes, theories = declared.resolve(rules, errors)
    derived = _derived_facts(rules, errors)
    for rule in rules:
        errors += _check_rule(rule, parameters, derived)
    _check_duplicates(rules, errors)
    check_presumptions(presumed, rules, errors)
    if errors:
        raise errors[0] if len(errors) == 1 else InputErrors(errors)
    book = Rulebook(
        rules=tuple(sorted(rules, key=lambda r: r.id)),
        parameters=parameters,
        derived=derived,
        files=tuple(str(f) for f in files),
        content_hash=digest.hexdigest(),
        parameter_locations=param_locations,
        overall=overall,
        regimes=regimes,
        theories=theories,
        regime_locations={k[len("regimes"):]: v for k, v in declared.where.items() if k.startswith("regimes")},
        presumptions=tuple(sorted((p for p, _, _ in presumed), key=lambda p: p.id)),
        presumption_locations={p.id: loc for p, loc, _ in presumed},
    )
    if check:
        from antitrust.rulegate import blocking_errors

        errors += blocking_errors(book)
        if errors:
            raise errors[0] if len(errors) == 1 else InputErrors(errors)
    return book


def nearest_regimes_file(paths: Sequence[str | Path]) -> Path | None:
    """The regimes file that applies to a rule file given on its own: ``regimes.yaml`` in the
    nearest folder above it (``rules/de/gwb.yaml`` -> ``rules/regimes.yaml``), so that a single
    rule file is checked against its rulebook's declared regimes. A folder given as a rulebook
    brings its own (or none: then the codes its rules use are taken as declared)."""
    for p in map(Path, paths):
        if p.is_dir():
            return None
        for folder in p.resolve().parents:
            if (folder / "regimes.yaml").is_file():
                return folder / "regimes.yaml"
        return None
    return None


class _Declared:
    """Regimes and theories declared in regimes files, and the check that rules name only those."""

    def __init__(self) -> None:
        self.regimes: dict[str, Regime] = {}
        self.theories: dict[str, TheoryDecl] = {}
        self.where: dict[str, Location] = {}
        self.seen_regimes = False
        self.seen_theories = False

    def load(self, doc: Document, errors: list[InputError]) -> None:
        try:
            rf = validate_document(RegimeFile, doc, RulebookError)
        except (InputError, InputErrors) as exc:
            errors += exc.errors if isinstance(exc, InputErrors) else [exc]
            return
        self.seen_regimes |= "regimes" in doc.data
        self.seen_theories |= "theories" in doc.data
        named: list[tuple[str, str, int, Regime | TheoryDecl]] = [
            *(("regimes", r.code, i, r) for i, r in enumerate(rf.regimes)),
            *(("theories", t.id, i, t) for i, t in enumerate(rf.theories)),
        ]
        for key, name, i, item in named:
            where = doc.locate((key, i))
            if key + name in self.where:
                errors.append(RulebookError(where, f"{'regime' if key == 'regimes' else 'theory'} {name!r} "
                                            f"is declared twice (first at {self.where[key + name]})"))
                continue
            if isinstance(item, Regime):
                self.regimes[name] = item
            else:
                self.theories[name] = item
            self.where[key + name] = where

    def resolve(self, rules: list[LoadedRule], errors: list[InputError]) -> tuple[dict[str, Regime], dict[str, TheoryDecl]]:
        """Check every rule's jurisdiction and theory against the declarations. Without any
        regimes file (a single rule file, a test folder) the codes the rules use are taken as
        declared, in order of appearance, so that such a rulebook still loads."""
        regimes, theories = dict(self.regimes), dict(self.theories)
        for r in rules:
            code, theory = r.spec.jurisdiction, r.spec.theory
            if code is not None and code not in regimes:
                if self.seen_regimes:
                    errors.append(RulebookError(r.location, f"rule {r.id}: jurisdiction {code!r} is not declared in a "
                                                f"regimes file{did_you_mean(code, regimes)}; declared: "
                                                f"{', '.join(regimes)}", field="jurisdiction"))
                else:
                    regimes[code] = implicit_regime(code)
            if theory is not None and theory not in theories:
                if self.seen_theories:
                    errors.append(RulebookError(r.location, f"rule {r.id}: theory {theory!r} is not declared in a "
                                                f"'theories:' list{did_you_mean(theory, theories)}", field="theory"))
                else:
                    theories[theory] = implicit_theory(theory)
        return regimes, theories


def _load_params(doc: Document, out: dict[str, Parameter], locs: dict[str, Location],
                 errors: list[InputError]) -> None:
    try:
        pf = validate_document(ParameterFile, doc, RulebookError)
    except (InputError, InputErrors) as exc:
        errors += exc.errors if isinstance(exc, InputErrors) else [exc]
        return
    for i, p in enumerate(pf.parameters):
        where = doc.locate(("parameters", i, "name"))
        if p.name in out:
            errors.append(RulebookError(where, f"parameter {p.name!r} is defined twice (first at {locs[p.name]})"))
            continue
        out[p.name] = p
        locs[p.name] = where


def _load_rules(doc: Document, out: list[LoadedRule], errors: list[InputError],
                presumed: list[tuple[PresumptionSpec, Location, Location]]) -> OverallTable | None:
    try:
        rf = validate_document(RuleFile, doc, RulebookError)
    except (InputError, InputErrors) as exc:
        errors += exc.errors if isinstance(exc, InputErrors) else [exc]
        return None
    presumed += [(p, doc.locate(("presumptions", i, "id")), doc.locate(("presumptions", i, "fact")))
                 for i, p in enumerate(rf.presumptions)]
    lines: list[str] | None = None
    for i, rule in enumerate(rf.rules):
        loc = doc.locate(("rules", i, "id"))
        when_key = doc.locate(("rules", i, "when"))
        if lines is None:
            lines = _source_lines(doc.path)
        when_map = _condition_map(lines, when_key, rule.when)
        when_loc = (Location(when_key.path, when_map[0][1], when_map[0][2]) if when_map
                    else Location(when_key.path, when_key.line, when_key.col + 6))
        try:
            condition = ex.parse(rule.when)
        except ex.ConditionSyntaxError as exc:
            errors.append(RulebookError(condition_position(when_loc, when_map, exc.col),
                                        f"rule {rule.id}: {exc}", field="when"))
            continue
        out.append(LoadedRule(rule, condition, loc, when_loc, when_map))
    for i, table in enumerate(rf.bands):
        try:
            table_rules = table.rules()
        except ValueError as exc:
            errors.append(RulebookError(doc.locate(("bands", i, "rows")), str(exc), field="bands"))
            continue
        for j, rule in enumerate(table_rules):
            loc = doc.locate(("bands", i, "rows", j))
            out.append(LoadedRule(rule, ex.parse(rule.when), loc, loc, ()))
    return rf.overall


def _source_lines(path: str) -> list[str]:
    try:
        return Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []


def _condition_map(lines: list[str], key: Location, value: str) -> tuple[tuple[int, int, int], ...]:
    """Where each source line of a ``when:`` value lands in the condition text the parser sees.

    The parser joins the lines of a multi-line condition with spaces; YAML folds ``>-`` blocks
    and multi-line plain scalars the same way. Each source line is found again in that text, so
    an error at column 140 of the joined text points at the right line of the file.
    """
    text = " ".join(value.split("\n")).strip()
    if not lines or not 0 < key.line <= len(lines):
        return ()
    first = lines[key.line - 1]
    colon = first.find(":", max(key.col - 1, 0))
    if colon < 0:
        return ()
    out: list[tuple[int, int, int]] = []
    cursor = 0
    start_col = colon + 1
    quote = ""
    for line_no in range(key.line, len(lines) + 1):
        if cursor >= len(text):
            break
        raw = lines[line_no - 1]
        segment = raw[start_col:] if line_no == key.line else raw
        start_col = 0
        stripped = segment.strip()
        if line_no == key.line and stripped[:1] in {">", "|"}:
            continue  # a block scalar: the text starts on the next line
        lead = len(segment) - len(segment.lstrip())
        if stripped[:1] in {'"', "'"} and not out:
            quote, stripped, lead = stripped[0], stripped[1:], lead + 1
        if quote and stripped.endswith(quote):
            stripped = stripped[:-1]
        if not stripped:
            continue
        found = text.find(stripped, cursor)
        if found < 0 or text[cursor:found].strip():
            break  # escapes or an unexpected layout: keep what was mapped so far
        col = (len(raw) - len(segment)) + lead + 1 if line_no == key.line else lead + 1
        out.append((found, line_no, col))
        cursor = found + len(stripped)
    return tuple(out)


def condition_position(start: Location, when_map: tuple[tuple[int, int, int], ...], col: int) -> Location:
    """The file position of column ``col`` (0-based) of a parsed condition."""
    entry = None
    for item in when_map:
        if item[0] <= col:
            entry = item
    if entry is None:
        return _at(start, col)
    offset, line, first_col = entry
    return Location(start.path, line, first_col + col - offset)


def _at(loc: Location, col: int) -> Location:
    return Location(loc.path, loc.line, loc.col + col)


def _check_duplicates(rules: list[LoadedRule], errors: list[InputError]) -> None:
    seen: dict[str, LoadedRule] = {}
    for r in rules:
        if r.id in seen:
            errors.append(RulebookError(r.location, f"duplicate rule id {r.id!r} (first at {seen[r.id].location})"))
        else:
            seen[r.id] = r


def _derived_facts(rules: list[LoadedRule], errors: list[InputError]) -> dict[str, DerivedFact]:
    fields: dict[str, dict[str, FieldSpec]] = {}
    producers: dict[str, list[str]] = {}
    for r in rules:
        d = r.spec.derive
        if d is None:
            continue
        if d.fact in RESERVED:
            errors.append(RulebookError(r.location, f"rule {r.id}: derived fact name {d.fact!r} is reserved "
                                        "(a base fact type or keyword); choose another name"))
            continue
        spec = fields.setdefault(d.fact, {})
        for name, value in d.fields.items():
            kind: FieldSpec
            if isinstance(value, bool):
                kind = FieldSpec("bool")
            elif isinstance(value, int | float):
                kind = FieldSpec("number")
            else:
                kind = FieldSpec("id")
            if name in {"status", "by", "t", "id", "sid"}:
                errors.append(RulebookError(r.location, f"rule {r.id}: derived field name {name!r} is reserved"))
            spec.setdefault(name, kind)
        producers.setdefault(d.fact, []).append(r.id)
    return {n: DerivedFact(n, fields[n], tuple(producers[n])) for n in fields}


def _check_rule(rule: LoadedRule, params: dict[str, Parameter], derived: dict[str, DerivedFact]) -> list[InputError]:
    errors: list[InputError] = []

    def err(col: int, msg: str) -> None:
        errors.append(RulebookError(rule.at(col), f"rule {rule.id}: {msg}", field="when"))

    known_names = sorted([*FACT_TYPES, *derived])
    for atom in ex.atoms(rule.condition):
        ref = atom.left if isinstance(atom, ex.Compare) else atom.ref
        spec = _resolve(ref, derived, known_names, err)
        if spec is None:
            continue
        if isinstance(atom, ex.Exists):
            if ref.field is not None and spec.kind != "bool":
                err(ref.col, f"{ref} is a {_kind(spec)}; compare it with a value (e.g. {ref} == ...)")
            continue
        _check_compare(atom, spec, params, err)
    _check_negations(rule.condition, derived, err)
    _check_or(rule.condition, err)
    _check_template(rule, derived, errors)
    window = rule.spec.reach.window if rule.spec.reach else None
    if window is not None:
        p = params.get(window.param)
        if p is None:
            errors.append(RulebookError(rule.location, f"rule {rule.id}: reach.window names unknown parameter "
                                        f"{window.param!r}{did_you_mean(window.param, params)}", field="reach"))
        elif p.unit not in {"months", "days", "working_days"}:
            errors.append(RulebookError(rule.location, f"rule {rule.id}: reach.window parameter {window.param!r} "
                                        f"has unit {p.unit}; a period needs months, days or working_days",
                                        field="reach"))
    if rule.spec.derive:
        for name, value in rule.spec.derive.fields.items():
            if isinstance(value, str) and ("{" in value or "}" in value):
                _check_placeholders(rule, value, derived, errors, f"derive.fields.{name}")
    return errors


def _kind(spec: FieldSpec) -> str:
    if spec.kind == "number":
        return f"number ({spec.unit})" if spec.unit else "number"
    return {"bool": "yes/no field", "category": "category", "id": "name"}[spec.kind]


def _resolve(ref: ex.Ref, derived: dict[str, DerivedFact], known: list[str], err: Reporter) -> FieldSpec | None:
    report = err
    if ref.fact in FACT_TYPES:
        if ref.field is None:
            report(ref.col, f"{ref.fact!r} is a kind of fact; name one of its fields, e.g. "
                   f"{ref.fact}.{next(iter(FACT_TYPES[ref.fact]))}")
            return None
        spec = FACT_TYPES[ref.fact].get(ref.field)
        if spec is None:
            report(ref.col + len(ref.fact) + 1,
                   f"unknown field {ref.field!r} of {ref.fact}{did_you_mean(ref.field, FACT_TYPES[ref.fact])}")
        return spec
    if ref.fact in derived:
        if ref.field is None:
            return FieldSpec("bool")
        spec = derived[ref.fact].fields.get(ref.field)
        if spec is None:
            report(ref.col + len(ref.fact) + 1,
                   f"derived fact {ref.fact!r} has no field {ref.field!r}"
                   f"{did_you_mean(ref.field, derived[ref.fact].fields)}")
        return spec
    hint = did_you_mean(ref.fact, known)
    what = "derived fact or kind of fact" if ref.field is None else "kind of fact"
    report(ref.col, f"unknown name {ref.fact!r}: no rule derives it and it is not a {what}{hint}")
    return None


def _check_compare(atom: ex.Compare, spec: FieldSpec, params: dict[str, Parameter], err: Reporter) -> None:
    report = err
    right = atom.right
    if spec.kind == "number":
        if atom.op == "in":
            report(atom.col, f"{atom.left} is a number; 'in' is for categories")
            return
        if isinstance(right, ex.Param):
            p = params.get(right.name)
            if p is None:
                report(right.col, f"unknown parameter {right.name!r}{did_you_mean(right.name, params)}")
            elif not compatible_units(spec.unit, p.unit):
                report(right.col, f"{atom.left} is in {spec.unit or 'plain numbers'} but parameter "
                       f"{right.name} is in {p.unit}; compare like with like")
        elif isinstance(right.value, bool) or not isinstance(right.value, int | float):
            report(right.col, f"{atom.left} is a number; compared with {right}")
        elif not math.isfinite(right.value) or abs(right.value) > MAX_CONSTANT:
            report(right.col, f"{atom.left} is compared with {right.value!r}; a constant must be a finite number "
                   f"of at most {MAX_CONSTANT:.0e} in size")
        return
    if isinstance(right, ex.Param):
        report(right.col, f"{atom.left} is a {_kind(spec)}; parameters are numbers")
        return
    if atom.op not in {"==", "!=", "in"}:
        report(atom.col, f"{atom.left} is a {_kind(spec)}; use ==, != or in, not {atom.op}")
        return
    values = right.value if isinstance(right.value, tuple) else (right.value,)
    for v in values:
        if spec.kind == "bool" and not isinstance(v, bool):
            report(right.col, f"{atom.left} is yes/no; compare it with true or false, not {v!r}")
        elif spec.kind in {"category", "id"} and not isinstance(v, str):
            report(right.col, f"{atom.left} is a {_kind(spec)}; compare it with a quoted text value")
        elif spec.kind == "category" and v not in spec.values:
            report(right.col, f"{v!r} is not a value of {atom.left}{did_you_mean(str(v), spec.values)}; "
                   f"expected one of {', '.join(spec.values)}")


def _check_negations(e: ex.Expr, derived: dict[str, DerivedFact], err: Reporter, negated: bool = False) -> None:
    report = err
    if isinstance(e, ex.Not):
        _check_negations(e.item, derived, err, not negated)
    elif isinstance(e, ex.And | ex.Or):
        for item in e.items:
            _check_negations(item, derived, err, negated)
    else:
        ref = e.left if isinstance(e, ex.Compare) else e.ref
        if negated and ref.fact in derived:
            report(ref.col, f"cannot negate derived fact {ref.fact!r}: absence of a derived fact "
                   "depends on rule order in the engine; derive the opposite fact explicitly")


def _check_or(e: ex.Expr, err: Reporter) -> None:
    """An 'or' must stay within one kind of fact (each fact pattern is matched on its own)."""
    report = err
    if isinstance(e, ex.Or):
        kinds = {r.fact for r in ex.refs(e)}
        if len(kinds) > 1:
            first = ex.refs(e)[0]
            report(first.col, f"an 'or' may not mix kinds of fact ({', '.join(sorted(kinds))}); "
                   "split it into separate rules")
    if isinstance(e, ex.And | ex.Or):
        for item in e.items:
            _check_or(item, err)
    elif isinstance(e, ex.Not):
        _check_or(e.item, err)


def placeholders(template: str) -> list[str]:
    """The references in a reason template (a :class:`ValueError` when it is outside the grammar)."""
    return reasons.names(template)


def _check_template(rule: LoadedRule, derived: dict[str, DerivedFact], errors: list[InputError]) -> None:
    _check_placeholders(rule, rule.spec.reason, derived, errors, "reason")
    if rule.spec.exposure is not None:
        for k, text in enumerate(rule.spec.exposure.consequences):
            _check_placeholders(rule, text, derived, errors, f"exposure.consequences.{k}")


def _check_placeholders(rule: LoadedRule, template: str, derived: dict[str, DerivedFact],
                        errors: list[InputError], where: str) -> None:
    try:
        names = placeholders(template)
    except ValueError as exc:
        errors.append(RulebookError(rule.location, f"rule {rule.id}: {where}: bad template ({exc})", field=where))
        return
    used = {r.fact for r in ex.refs(rule.condition)}
    for name in names:
        parts = name.split(".")
        if parts[0] == "param":
            continue  # checked against parameters in the compiler, which knows the date
        if len(parts) != 2 or parts[0] not in used:
            errors.append(RulebookError(
                rule.location,
                f"rule {rule.id}: {where}: {{{name}}} must name a field of a fact the condition uses "
                f"({', '.join(sorted(used))})", field=where))
            continue
        fact, fld = parts
        known: Iterable[str] = FACT_TYPES.get(fact, {}) or (derived[fact].fields if fact in derived else {})
        if fld not in known and fld not in {"by", "status"}:
            errors.append(RulebookError(rule.location, f"rule {rule.id}: {where}: unknown field {name!r}"
                                        f"{did_you_mean(fld, known)}", field=where))
