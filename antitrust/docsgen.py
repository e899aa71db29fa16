"""Documentation generated from the rulebook and the vocabulary.

``antitrust rules docs`` writes one page per jurisdiction and per theory of harm (Markdown and
HTML, from Jinja2 templates in ``antitrust/templates``). Each rule is shown with its title, what
it concludes, its condition in the rule language and in plain words (with the meaning of every
field it names), its legal basis with a link, the parameters it uses with their full value
history, and the tests that illustrate it.

:func:`vocabulary_markdown` renders the fact types and fields of :mod:`antitrust.vocabulary`;
docs/rule-language.md carries it between markers, and a test keeps it current.

Output depends only on the rulebook (no dates or times), so the committed docs/rules/ can be
compared with a fresh run.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from antitrust import expr as ex
from antitrust.fileio import write_text_atomic
from antitrust.params import Parameter, format_value
from antitrust.rulebook import LoadedRule, Rulebook
from antitrust.templating import environment
from antitrust.vocabulary import FACT_TYPES, FIGURE_JURISDICTIONS, FieldSpec

#: How each kind of fact is named in plain words.
FACT_WORDS: dict[str, str] = {
    "deal": "the deal",
    "party": "a party",
    "stake": "a stake",
    "governance": "a governance arrangement",
    "economic_interest": "an economic interest that is not shares",
    "person": "a person who moves between the parties",
    "workforce": "a transfer of staff",
    "licence": "a licence",
    "supply": "a supply relationship",
    "market": "a market",
    "ownership": "the acquirer's holding in the target",
    "data_link": "a data-access link",
    "complement": "a complementary or conglomerate link",
}
FIGURE_NAMES: dict[str, str] = {
    "world": "worldwide", "eu": "EU", "us": "US", "de": "German", "at": "Austrian", "uk": "UK",
    "it": "Italian", "ie": "Irish", "dk": "Danish", "se": "Swedish", "jp": "Japanese", "kr": "Korean",
    "fr": "French", "nl": "Dutch",
}
for _code in FIGURE_JURISDICTIONS:
    FACT_WORDS[_code] = f"the {FIGURE_NAMES.get(_code, _code.upper())} figures"

FACT_DOCS: dict[str, str] = {
    "deal": "The transaction as a whole: its type, value, and timing. One per deal.",
    "party": "Each party: acquirer, target, seller or other (e.g. a rival that buys from the target).",
    "stake": "Each shareholding one party holds in another, before and after the deal.",
    "governance": "Board seats, observers, vetoes and information rights one party gets in another.",
    "economic_interest": "Each profit participation, revenue share or tracking interest one party holds in another "
                         "(not shares, no votes).",
    "person": "Each person who moves from one party to another (founders, executives).",
    "workforce": "Each transfer of staff from one party to another.",
    "licence": "Each licence between the parties.",
    "supply": "Each supply relationship (who supplies whom, and how much it matters).",
    "ownership": "How much of the target the acquiring side holds after the deal (one per deal).",
    "data_link": "Each data-access link: who gains access to whose data, and whether it is sensitive.",
    "complement": "Each complementary or conglomerate link between the parties' products.",
    "market": "Each market in which the parties' shares are stated.",
}
#: Plain words for fields the vocabulary gives no description of (its own ``doc`` wins).
FIELD_WORDS: dict[str, str] = {
    "is_share_acquisition": "the deal is an acquisition of shares",
    "is_asset_acquisition": "the deal is an acquisition of assets",
    "is_licence": "the deal is a licence",
    "is_hiring": "the deal hires the target's people",
    "is_joint_venture": "the deal creates a joint venture",
    "is_partnership": "the deal is a partnership",
    "structured_to_avoid_review": "the deal is structured to avoid review",
    "months_since_closing": "months since closing",
    "party": "the party", "holder": "the holder", "issuer": "the company whose shares are held",
    "person": "the person", "market": "the market", "geography": "the market's geography",
    "supplier": "the supplier", "customer": "the customer",
    "role": "the party's role",
    "corporate_form": "the party's corporate form",
    "eu_gatekeeper": "the party is a gatekeeper under the EU Digital Markets Act",
    "uk_sms": "the party has strategic market status in the UK",
    "competes_with_acquirer": "the party competes with the acquirer",
    "dominant": "the party holds a dominant position",
    "uk_share_of_supply": "the party's share of supply in the UK",
    "holder_role": "the holder's role", "issuer_role": "the role of the company whose shares are held",
    "equity_before": "share of the capital held before the deal",
    "equity_after": "share of the capital held after the deal",
    "voting_before": "share of the votes held before the deal",
    "voting_after": "share of the votes held after the deal",
    "equity_acquired": "share of the capital acquired",
    "voting_acquired": "share of the votes acquired",
    "share_class": "class of the shares",
    "convertible_into_voting": "the shares convert into voting shares",
    "solely_for_investment": "the stake is held solely for investment",
    "board_seats": "board seats held", "board_observers": "board observers",
    "veto_budget": "a veto over the budget", "veto_business_plan": "a veto over the business plan",
    "veto_senior_management": "a veto over senior management appointments",
    "veto_major_investments": "a veto over major investments", "veto_other": "another veto right",
    "information_rights": "rights to information", "exclusivity": "an exclusivity right",
    "from_role": "role of the party left", "to_role": "role of the party joined",
    "seniority": "the person's seniority",
    "employees_moved": "employees who move", "share_of_target_staff": "share of the target's staff who move",
    "with_licence": "the move comes with a licence", "with_waiver": "the move comes with a waiver of claims",
    "target_pivots_or_winds_down": "the target pivots or winds down afterwards",
    "licensor_role": "the licensor's role", "licensee_role": "the licensee's role",
    "exclusive": "the licence is exclusive",
    "supplier_role": "the supplier's role", "customer_role": "the customer's role",
    "customer_competes_with_acquirer": "the customer competes with the acquirer",
    "share_of_supplier_revenue": "share of the supplier's revenue from this customer",
    "input_importance": "importance of the input to the customer",
    "alternatives_available": "the customer has alternative suppliers",
    "acquirer_share": "the acquirer's market share", "target_share": "the target's market share",
    "combined_share": "the combined market share",
    "hhi_post": "HHI after the deal", "hhi_delta": "change in HHI",
}
_OPS = {"==": "is", "!=": "is not", "<": "is below", "<=": "is at most", ">": "is above", ">=": "is at least",
        "in": "is one of"}
_NEG_OPS = {"==": "is not", "!=": "is", "<": "is not below", "<=": "is above", ">": "is at most",
            ">=": "is below", "in": "is none of"}
_ROUTES = {"call_in": "call-in", "referral": "referral", "post_closing_challenge": "challenge before or after closing",
           "own_initiative": "own-initiative review", "inform": "duty to inform"}


def field_words(fact: str, name: str, spec: FieldSpec | None) -> str:
    """A field as a person would name it: 'Turnover of the target (EUR)'."""
    if spec is not None and spec.doc:
        return spec.doc
    return FIELD_WORDS.get(name, name.replace("_", " "))


def kind_text(spec: FieldSpec) -> str:
    if spec.kind == "number":
        return {"percent": "percentage", "count": "number", "months": "months", "hhi": "HHI points"}.get(
            spec.unit or "", f"amount in {spec.unit}" if spec.unit else "number")
    if spec.kind == "bool":
        return "yes / no"
    if spec.kind == "category":
        return "one of " + ", ".join(f"`{v}`" for v in spec.values)
    return "name"


@dataclass
class Plain:
    """A condition in plain words: a line, and nested lines for 'all of' / 'any of'."""

    text: str
    items: list[Plain] = field(default_factory=list)


class _Words:
    def __init__(self, book: Rulebook) -> None:
        self.book = book

    def spec(self, ref: ex.Ref) -> FieldSpec | None:
        if ref.fact in FACT_TYPES and ref.field:
            return FACT_TYPES[ref.fact].get(ref.field)
        if ref.fact in self.book.derived and ref.field:
            return self.book.derived[ref.fact].fields.get(ref.field)
        return None

    def value(self, right: ex.Const | ex.Param, spec: FieldSpec | None) -> str:
        if isinstance(right, ex.Param):
            p = self.book.parameters.get(right.name)
            latest = p.values[-1] if p else None
            if p is None or latest is None:
                return f"the parameter `{right.name}`"
            shown = format_value(latest.value, p.unit) if latest.value is not None else "no confirmed value"
            return f"the parameter `{right.name}` (latest value {shown}, from {latest.from_.isoformat()})"
        v = right.value
        if isinstance(v, tuple):
            return ", ".join(self.value(ex.Const(x, 0), spec) for x in v)
        if isinstance(v, bool):
            return "yes" if v else "no"
        if isinstance(v, int | float) and spec is not None and spec.kind == "number":
            return format_value(float(v), spec.unit or "")
        return f"`{v}`"

    def atom(self, a: ex.Atom, negated: bool) -> str:
        if isinstance(a, ex.Exists):
            ref = a.ref
            if ref.field is None:
                d = self.book.derived.get(ref.fact)
                by = f" (derived by {', '.join(d.producers)})" if d else ""
                return f"*{ref.fact.replace('_', ' ')}* {'does not hold' if negated else 'holds'}{by}"
            spec = self.spec(ref)
            return self.flag(ref, spec, not negated)
        spec = self.spec(a.left)
        if spec is not None and spec.kind == "bool" and isinstance(a.right, ex.Const) and a.op in {"==", "!="}:
            return self.flag(a.left, spec, (a.right.value is True) == (a.op == "==") != negated)
        ops = _NEG_OPS if negated else _OPS
        return f"{self.subject(a.left, spec)} {ops[a.op]} {self.value(a.right, spec)}"

    def flag(self, ref: ex.Ref, spec: FieldSpec | None, yes: bool) -> str:
        """A yes/no field: '<words>' when it must be yes, 'not: <words>' when it must be no."""
        text = self.subject(ref, spec)
        return text if yes else f"Not so: {text[0].lower()}{text[1:]}"

    def subject(self, ref: ex.Ref, spec: FieldSpec | None) -> str:
        words = field_words(ref.fact, ref.field or "", spec)
        if ref.fact in FIGURE_NAMES:
            words += f", {FIGURE_NAMES[ref.fact]} figures"
        elif ref.fact not in FACT_TYPES:
            words = f"{words} of *{ref.fact.replace('_', ' ')}*"
        return f"{words[0].upper()}{words[1:]} (`{ref}`)"

    def plain(self, e: ex.Expr, negated: bool = False) -> Plain:
        if isinstance(e, ex.Not):  # pushed inwards: not (a or b) reads as "all of: not a, not b"
            return self.plain(e.item, not negated)
        if isinstance(e, ex.Compare | ex.Exists):
            return Plain(self.atom(e, negated))
        all_of = isinstance(e, ex.And) != negated
        return Plain("all of:" if all_of else "any of:", [self.plain(i, negated) for i in e.items])


def plain_lines(p: Plain, depth: int = 0) -> list[str]:
    """Nested bullet lines ('- ...') for Markdown."""
    if not p.items and depth == 0:
        return [f"- {p.text}"]
    if p.items and depth == 0 and p.text == "all of:":
        return [line for i in p.items for line in plain_lines(i, 1)]
    pad = "  " * max(depth - 1, 0)
    out = [f"{pad}- {p.text}"]
    for i in p.items:
        out += plain_lines(i, depth + 1) if i.items else [f"{pad}  - {i.text}"]
    return out


def _fields_used(rule: LoadedRule, book: Rulebook) -> list[dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for ref in ex.refs(rule.condition):
        key = str(ref)
        if key in out:
            continue
        if ref.fact in FACT_TYPES and ref.field:
            spec = FACT_TYPES[ref.fact][ref.field]
            words = field_words(ref.fact, ref.field, spec)
            out[key] = {"name": key, "meaning": f"{words[0].upper()}{words[1:]}; a field of {FACT_WORDS[ref.fact]}",
                        "kind": kind_text(spec)}
        elif ref.fact in book.derived:
            d = book.derived[ref.fact]
            if ref.field:
                out[key] = {"name": key, "meaning": f"field of the derived fact {ref.fact}",
                            "kind": kind_text(d.fields[ref.field])}
            else:
                out[key] = {"name": key, "meaning": f"derived by {', '.join(d.producers)}", "kind": "derived fact"}
    return list(out.values())


def _params_used(rule: LoadedRule, book: Rulebook) -> list[str]:
    names = [p.name for p in ex.params(rule.condition)]
    names += re.findall(r"\{param\.([a-z0-9_.]+)\}", rule.spec.reason)
    return [n for n in dict.fromkeys(names) if n in book.parameters]


def _param_context(name: str, p: Parameter) -> dict[str, Any]:
    return {
        "name": name,
        "title": p.title,
        "unit": p.unit,
        "review_by": p.review_by.isoformat() if p.review_by else None,
        "values": [{
            "from": v.from_.isoformat(),
            "until": v.until.isoformat() if v.until else None,
            "value": format_value(v.value, p.unit) if v.value is not None else "no confirmed value",
            "citation": v.citation,
            "url": v.url,
            "status": v.status,
            "note": v.note,
        } for v in p.values],
    }


def _conclusions(rule: LoadedRule) -> list[str]:
    s = rule.spec
    out = []
    if s.verdict:
        out.append(f"filing {s.verdict.filing.replace('_', ' ')}" + (" and suspensory" if s.verdict.suspensory else ""))
    if s.reach:
        route = f"the deal can be reached by {_ROUTES[s.reach.route]}"
        w = s.reach.window
        if w is not None:
            starts = " or ".join(w.runs_from)
            route += f", for {w.authority} within `{w.param}` of {starts}" + (f" ({w.pick})" if len(w.runs_from) > 1 else "")
        out.append(route)
    if s.exposure:
        out.append(f"{s.exposure.kind.replace('_', '-')} exposure on a closed deal")
    if s.risk:
        out.append(f"{s.risk.band} risk")
    if s.derive:
        fields = ", ".join(f"{k}: {v}" for k, v in sorted(s.derive.fields.items()))
        out.append(f"establishes *{s.derive.fact.replace('_', ' ')}*" + (f" ({fields})" if fields else ""))
    return out or ["a finding in the report"]


def _compact(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(", ", ": "))


def _rule_context(rule: LoadedRule, book: Rulebook, used_by: dict[str, list[str]]) -> dict[str, Any]:
    s = rule.spec
    words = _Words(book)
    return {
        "id": s.id,
        "anchor": s.id.lower(),
        "title": s.title,
        "jurisdiction": s.jurisdiction,
        "theory": s.theory,
        "source": f"{rule.location.path}:{rule.location.line}",
        "conclusions": _conclusions(rule),
        "confidence": s.confidence,
        "condition": ex.render(rule.condition),
        "plain": plain_lines(words.plain(rule.condition)),
        "fields": _fields_used(rule, book),
        "basis": {"citation": s.basis.citation, "url": s.basis.url, "status": s.basis.status, "note": s.basis.note},
        "reason": s.reason,
        "presumptions": [{
            "id": p.id, "fact": p.fact, "statement": p.statement, "why": p.why,
            "citation": p.basis.citation, "url": p.basis.url, "path": p.path,
        } for p in book.presumptions if s.id in p.serves],
        "parameters": [_param_context(n, book.parameters[n]) for n in _params_used(rule, book)],
        "used_by": used_by.get(s.derive.fact, []) if s.derive else [],
        "tests": [{
            "name": t.name,
            "expect": t.expect.replace("_", " "),
            "deal": _compact(t.deal),
            "as_of": t.as_of.isoformat() if t.as_of else None,
        } for t in s.tests],
    }


@dataclass(frozen=True)
class Page:
    path: str  # relative, without suffix: "jurisdictions/us"
    title: str
    intro: str
    rules: tuple[dict[str, Any], ...]


def pages_for(book: Rulebook) -> list[Page]:
    names = {code: r.name for code, r in book.regimes.items()}
    titles = {t: d.title for t, d in book.theories.items()}
    used_by: dict[str, list[str]] = {}
    for r in book.rules:
        for ref in ex.refs(r.condition):
            if ref.fact in book.derived:
                used_by.setdefault(ref.fact, [])
                if r.id not in used_by[ref.fact]:
                    used_by[ref.fact].append(r.id)
    ordered = sorted(book.rules, key=lambda r: (r.location.path, r.location.line))
    pages = []
    for code in book.regimes:
        mine = [r for r in ordered if r.spec.jurisdiction == code]
        if mine:
            pages.append(Page(f"jurisdictions/{code.lower()}", f"{names.get(code, code)} ({code})",
                              f"Rules that decide the filing position in {names.get(code, code)}, or "
                              "establish facts that other rules build on.",
                              tuple(_rule_context(r, book, used_by) for r in mine)))
    for theory in book.theories:
        mine = [r for r in ordered if r.spec.theory == theory]
        if mine:
            pages.append(Page(f"theories/{theory.replace('_', '-')}", titles.get(theory, theory),
                              f"Rules that raise the risk band of the theory of harm "
                              f"'{titles.get(theory, theory).lower()}', or establish facts for it.",
                              tuple(_rule_context(r, book, used_by) for r in mine)))
    return pages


@cache
def _env(autoescape: bool) -> jinja2.Environment:
    env = environment("templates", autoescape=autoescape)
    env.filters["md_inline"] = _md_inline_to_html
    return env


def _md_inline_to_html(text: str) -> Any:
    """`code` and *emphasis* from the plain-language lines, as HTML (the text is escaped first)."""
    from markupsafe import Markup, escape

    out = str(escape(text))
    out = re.sub(r"`([^`]+)`", r"<code>\1</code>", out)
    out = re.sub(r"\*([^*]+)\*", r"<em>\1</em>", out)
    return Markup(out)


def render_docs(book: Rulebook, formats: tuple[str, ...] = ("md", "html")) -> dict[str, str]:
    """{relative file path: text} for every page and the index, in each of ``formats``."""
    pages = pages_for(book)
    counts = {"rules": len(book.rules), "parameters": len(book.parameters),
              "tests": sum(len(r.spec.tests) for r in book.rules)}
    out: dict[str, str] = {}
    for suffix in formats:
        env = _env(suffix == "html")
        page_t = env.get_template(f"rules_page.{suffix}.j2")
        index_t = env.get_template(f"rules_index.{suffix}.j2")
        for page in pages:
            depth = page.path.count("/")
            out[f"{page.path}.{suffix}"] = page_t.render(page=page, root="../" * depth, ext=suffix)
        out[f"index.{suffix}"] = index_t.render(pages=pages, counts=counts, ext=suffix)
        if suffix == "html":
            out["style.css"] = env.get_template("style.css.j2").render()
    return dict(sorted(out.items()))


def write_docs(files: dict[str, str], output: Path) -> list[Path]:
    """Write ``files`` under ``output`` (each atomically), and remove pages this run did not write
    from earlier runs (only *.md and *.html files under jurisdictions/ and theories/)."""
    written = []
    for rel, text in files.items():
        target = output / rel
        write_text_atomic(target, text)
        written.append(target)
    for sub in ("jurisdictions", "theories"):
        for old in sorted((output / sub).glob("*")) if (output / sub).is_dir() else []:
            if old.suffix in {".md", ".html"} and old.relative_to(output).as_posix() not in files:
                old.unlink()
    return written


def vocabulary_markdown() -> str:
    """The fact types and fields rule conditions may name, as Markdown tables."""
    lines: list[str] = []
    figures = set(FIGURE_JURISDICTIONS)
    for fact, fields in FACT_TYPES.items():
        if fact in figures and fact != "world":
            continue
        if fact == "world":
            codes = ", ".join(f"`{c}`" for c in FIGURE_JURISDICTIONS)
            lines += [f"### Figures per jurisdiction: {codes}", "",
                      ("One fact per jurisdiction with the parties' turnover there, summed by side and "
                       "converted into EUR, USD and GBP with the dated exchange-rate parameters. "
                       "`world` holds worldwide figures; write e.g. `de.target_turnover_eur`."), ""]
        else:
            lines += [f"### `{fact}`", "", FACT_DOCS.get(fact, ""), ""]
        lines += ["| field | kind | meaning |", "|---|---|---|"]
        for name, spec in fields.items():
            meaning = field_words(fact, name, spec)
            lines.append(f"| `{fact if fact != 'world' else '<j>'}.{name}` | {kind_text(spec)} | {meaning} |")
        lines.append("")
        if fact == "world":  # fields that only some jurisdictions' figures carry
            for code in FIGURE_JURISDICTIONS:
                extra = {n: s for n, s in FACT_TYPES[code].items() if n not in fields}
                if not extra:
                    continue
                lines += [f"Only `{code}` also has:", "", "| field | kind | meaning |", "|---|---|---|"]
                lines += [f"| `{code}.{n}` | {kind_text(s)} | {field_words(code, n, s)} |" for n, s in extra.items()]
                lines.append("")
    return "\n".join(lines).rstrip() + "\n"


BEGIN_VOCABULARY = "<!-- BEGIN GENERATED: vocabulary (antitrust rules docs --language-doc) -->"
END_VOCABULARY = "<!-- END GENERATED: vocabulary -->"


def with_vocabulary(text: str) -> str:
    """``text`` (docs/rule-language.md) with its generated vocabulary section brought up to date."""
    start, end = text.find(BEGIN_VOCABULARY), text.find(END_VOCABULARY)
    if start < 0 or end < start:
        raise ValueError(f"the markers {BEGIN_VOCABULARY!r} and {END_VOCABULARY!r} are missing")
    return text[: start + len(BEGIN_VOCABULARY)] + "\n\n" + vocabulary_markdown() + "\n" + text[end:]
