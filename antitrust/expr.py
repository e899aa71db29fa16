"""The condition language analysts write in ``when:``.

    stake.equity_after >= param.de.gwb37.capital_low and stake.voting_after == 0
    de_concentration and deal.consideration_eur > param.de.gwb35.transaction_value
    stake.share_class in ["non_voting", "convertible"] and not stake.solely_for_investment

The text is parsed with Python's own parser into a syntax tree (never evaluated), and only the
node types below are accepted; anything else is an error pointing at its column.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

Value = bool | int | float | str


class ConditionSyntaxError(ValueError):
    def __init__(self, message: str, col: int) -> None:
        self.col = col
        super().__init__(message)


@dataclass(frozen=True)
class Ref:
    """``fact.field``, or a bare derived fact name (``field`` is None)."""

    fact: str
    field: str | None
    col: int

    def __str__(self) -> str:
        return f"{self.fact}.{self.field}" if self.field else self.fact


@dataclass(frozen=True)
class Param:
    name: str
    col: int

    def __str__(self) -> str:
        return f"param.{self.name}"


@dataclass(frozen=True)
class Const:
    value: Value | tuple[Value, ...]
    col: int

    def __str__(self) -> str:
        if isinstance(self.value, tuple):
            return "[" + ", ".join(repr(v) for v in self.value) + "]"
        return repr(self.value) if isinstance(self.value, str) else str(self.value).lower() if isinstance(self.value, bool) else str(self.value)


@dataclass(frozen=True)
class Compare:
    left: Ref
    op: str  # == != < <= > >= in
    right: Const | Param
    col: int

    def __str__(self) -> str:
        return f"{self.left} {self.op} {self.right}"


@dataclass(frozen=True)
class Exists:
    """A bare name: a derived fact holds (``de_concentration``) or a boolean field is true."""

    ref: Ref

    def __str__(self) -> str:
        return str(self.ref)


@dataclass(frozen=True)
class And:
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class Not:
    item: Expr
    col: int


Expr = Compare | Exists | And | Or | Not
Atom = Compare | Exists

_OPS: dict[type[ast.cmpop], str] = {
    ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.In: "in",
}
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


def parse(text: str) -> Expr:
    """Parse a condition; raise :class:`ConditionSyntaxError` with a 0-based column."""
    source = " ".join(text.split("\n"))  # YAML folded text: columns stay meaningful per line
    if len(source) > MAX_LENGTH:
        raise ConditionSyntaxError(f"the condition is {len(source):,} characters long; at most {MAX_LENGTH:,} "
                                   "are allowed (split it into derived facts)", 0)
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as exc:
        col = (exc.offset or 1) - 1
        raise ConditionSyntaxError(f"cannot parse the condition ({exc.msg})", col) from None
    except (MemoryError, RecursionError):  # Python's own parser gives up on deep nesting
        raise ConditionSyntaxError(f"the condition nests too deeply; at most {MAX_DEPTH} levels are allowed",
                                   0) from None
    return _expr(tree.body, 0)


#: The longest condition accepted, in characters, and how deeply and/or/not may nest.
MAX_LENGTH = 20_000
MAX_DEPTH = 32


def _expr(node: ast.expr, depth: int) -> Expr:
    if depth > MAX_DEPTH:
        raise ConditionSyntaxError(f"the condition nests too deeply; at most {MAX_DEPTH} levels of and, or "
                                   "and not are allowed", node.col_offset)
    if isinstance(node, ast.BoolOp):
        items = tuple(_expr(v, depth + 1) for v in node.values)
        return And(items) if isinstance(node.op, ast.And) else Or(items)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return Not(_expr(node.operand, depth + 1), node.col_offset)
    if isinstance(node, ast.Compare):
        return _compare(node)
    if isinstance(node, ast.Name | ast.Attribute):
        operand = _operand(node)
        if not isinstance(operand, Ref):
            raise ConditionSyntaxError("a parameter or constant alone is not a condition", node.col_offset)
        return Exists(operand)
    raise ConditionSyntaxError(_unsupported(node), node.col_offset)


def _compare(node: ast.Compare) -> Expr:
    parts: list[Expr] = []
    left_node = node.left
    for op, right_node in zip(node.ops, node.comparators, strict=True):
        if isinstance(op, ast.NotIn):
            parts.append(Not(_one(left_node, "in", right_node), left_node.col_offset))
        elif type(op) in _OPS:
            parts.append(_one(left_node, _OPS[type(op)], right_node))
        else:
            raise ConditionSyntaxError(
                "unsupported comparison; use ==, !=, <, <=, >, >=, in or not in", node.col_offset
            )
        left_node = right_node
    return parts[0] if len(parts) == 1 else And(tuple(parts))


def _one(left_node: ast.expr, op: str, right_node: ast.expr) -> Compare:
    left, right = _operand(left_node), _operand(right_node)
    if not isinstance(left, Ref) and isinstance(right, Ref):
        if op == "in":
            raise ConditionSyntaxError("write 'field in [...]' with the field on the left", left_node.col_offset)
        left, right, op = right, left, _FLIP[op]
    if not isinstance(left, Ref):
        raise ConditionSyntaxError("a comparison needs a fact field on one side", left_node.col_offset)
    if isinstance(right, Ref):
        raise ConditionSyntaxError(
            "comparing two fact fields is not supported; compare a field with a value or a parameter",
            right_node.col_offset,
        )
    if op == "in" and not (isinstance(right, Const) and isinstance(right.value, tuple)):
        raise ConditionSyntaxError("'in' needs a list, e.g. x in [\"a\", \"b\"]", right_node.col_offset)
    return Compare(left, op, right, left_node.col_offset)


def _operand(node: ast.expr) -> Ref | Param | Const:
    if isinstance(node, ast.Constant) and isinstance(node.value, bool | int | float | str):
        return Const(node.value, node.col_offset)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        v = node.operand.value
        if isinstance(v, int | float) and not isinstance(v, bool):
            return Const(-v, node.col_offset)
    if isinstance(node, ast.List | ast.Tuple):
        values = []
        for elt in node.elts:
            item = _operand(elt)
            if not isinstance(item, Const) or isinstance(item.value, tuple):
                raise ConditionSyntaxError("a list holds plain values only", elt.col_offset)
            values.append(item.value)
        return Const(tuple(values), node.col_offset)
    if isinstance(node, ast.Name):
        if node.id in {"true", "false"}:
            return Const(node.id == "true", node.col_offset)
        if node.id == "param":
            raise ConditionSyntaxError("name a parameter, e.g. param.de.gwb35.transaction_value", node.col_offset)
        return Ref(node.id, None, node.col_offset)
    if isinstance(node, ast.Attribute):
        chain: list[str] = []
        cur: ast.expr = node
        while isinstance(cur, ast.Attribute):
            chain.append(cur.attr)
            cur = cur.value
        if not isinstance(cur, ast.Name):
            raise ConditionSyntaxError(_unsupported(cur), cur.col_offset)
        chain.append(cur.id)
        chain.reverse()
        if chain[0] == "param":
            return Param(".".join(chain[1:]), node.col_offset)
        if len(chain) != 2:
            raise ConditionSyntaxError(
                f"'{'.'.join(chain)}' has too many parts; write fact.field", node.col_offset
            )
        return Ref(chain[0], chain[1], node.col_offset)
    raise ConditionSyntaxError(_unsupported(node), node.col_offset)


def _unsupported(node: ast.AST) -> str:
    kind = type(node).__name__
    if isinstance(node, ast.BinOp):
        return "arithmetic is not supported in conditions; compare a field with a value or parameter"
    if isinstance(node, ast.Call):
        return "function calls are not allowed in conditions"
    return f"unsupported expression ({kind}); use fields, values, parameters, and/or/not, comparisons"


def atoms(expr: Expr) -> list[Atom]:
    """Every comparison and bare name in ``expr``, left to right."""
    if isinstance(expr, Compare | Exists):
        return [expr]
    if isinstance(expr, Not):
        return atoms(expr.item)
    return [a for item in expr.items for a in atoms(item)]


def refs(expr: Expr) -> list[Ref]:
    return [a.left if isinstance(a, Compare) else a.ref for a in atoms(expr)]


def params(expr: Expr) -> list[Param]:
    return [a.right for a in atoms(expr) if isinstance(a, Compare) and isinstance(a.right, Param)]


def render(expr: Expr) -> str:
    """The condition in canonical text form (used in docs and explanations)."""
    if isinstance(expr, Compare | Exists):
        return str(expr)
    if isinstance(expr, Not):
        return f"not {_wrap(expr.item)}"
    joiner = " and " if isinstance(expr, And) else " or "
    return joiner.join(_wrap(i) for i in expr.items)


def _wrap(expr: Expr) -> str:
    return f"({render(expr)})" if isinstance(expr, And | Or) else render(expr)
