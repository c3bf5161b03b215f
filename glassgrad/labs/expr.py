"""Safe arithmetic expressions for ``glassgrad explain``: parsed with ``ast``, never ``eval``.

Only numbers, variable names, ``+ - * / **``, unary minus and a whitelist of functions are
accepted; anything else raises :class:`ExpressionError` naming what was found. So that no input
exhausts the parser or the evaluator, an expression has at most ``MAX_LENGTH`` characters
(checked before parsing), nests at most ``MAX_DEPTH`` operations deep (a chain of n sums
counts n) and its numbers must be finite as floats.
"""

import ast
import math

__all__ = ["ExpressionError", "FUNCTIONS", "parse_expression", "parse_point", "evaluate"]

MAX_LENGTH = 1000
MAX_DEPTH = 100


class ExpressionError(ValueError):
    """A malformed or disallowed expression, or a bad ``--at`` point."""


FUNCTIONS = ("sin", "cos", "exp", "log", "tanh", "sqrt", "relu", "sigmoid", "abs")
_BINOPS = {
    ast.Add: "__add__",
    ast.Sub: "__sub__",
    ast.Mult: "__mul__",
    ast.Div: "__truediv__",
    ast.Pow: "__pow__",
}


def parse_expression(text):
    """Parse ``text`` and return ``(tree, variable names in order of appearance)``.

    Example:
        >>> parse_expression("sin(x**2) + y")[1]
        ['x', 'y']
    """
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError(f"expression must be a non-empty string; got {text!r}")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            f"expression is longer than {MAX_LENGTH} characters ({len(text)}); shorten it"
        )
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, RecursionError, MemoryError) as e:
        raise ExpressionError(f"malformed expression {_short(text)}: {e}") from None
    _check_depth(tree)
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
                what = ast.unparse(node.func)
                raise ExpressionError(f"unknown function {what!r}; allowed: {', '.join(FUNCTIONS)}")
            if len(node.args) != 1 or node.keywords:
                raise ExpressionError(f"{node.func.id}() takes exactly one argument")
        elif isinstance(node, ast.Name):
            if node.id not in FUNCTIONS:
                names.append(node)
        elif isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, int | float):
                raise ExpressionError(f"only numbers are allowed as constants; got {node.value!r}")
            if not _finite(node.value):
                raise ExpressionError(f"the number {_short(ast.unparse(node))} is too large")
        elif isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.BitXor):
                raise ExpressionError("^ is not a power in Python: write x**2 for x squared")
            if type(node.op) not in _BINOPS:
                raise ExpressionError(f"operator {type(node.op).__name__} is not allowed")
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, ast.USub | ast.UAdd):
                raise ExpressionError(f"operator {type(node.op).__name__} is not allowed")
        elif not isinstance(node, ast.Expression | ast.Load | ast.operator | ast.unaryop):
            raise ExpressionError(f"{type(node).__name__} is not allowed in an expression")
    ordered = [n.id for n in sorted(names, key=lambda n: n.col_offset)]
    return tree, list(dict.fromkeys(ordered))


def _short(text, n=40):
    return repr(text) if len(text) <= n else repr(text[:n]) + f"... ({len(text)} characters)"


def _finite(value):
    try:
        return math.isfinite(float(value))
    except OverflowError:  # an int beyond the float range
        return False


def _check_depth(tree):
    """Refuse trees nested deeper than MAX_DEPTH (walked with a stack, not recursion)."""
    stack = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ExpressionError(
                f"expression is nested deeper than {MAX_DEPTH} levels; split it or use fewer "
                "chained operations"
            )
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


def parse_point(assignments):
    """Parse ``["x=3", "y=-1.5"]`` (or ``"x=3,y=2"``) into ``{"x": 3.0, "y": -1.5}``.

    Example:
        >>> parse_point(["x=3,y=2"])
        {'x': 3.0, 'y': 2.0}
    """
    point = {}
    for item in assignments:
        for part in filter(None, (p.strip() for p in item.split(","))):
            name, eq, value = part.partition("=")
            try:
                if not eq or not name.strip().isidentifier():
                    raise ValueError
                point[name.strip()] = float(value)
            except ValueError:
                raise ExpressionError(f"--at expects NAME=NUMBER; got {part!r}") from None
    return point


def evaluate(tree, values):
    """Evaluate a parsed tree on Tensors ``values`` (name → Tensor) with glassgrad ops."""
    import glassgrad as gg

    def ev(node):
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant):
            return float(node.value)
        if isinstance(node, ast.Name):
            if node.id not in values:
                raise ExpressionError(f"no value for {node.id!r}; give it with --at {node.id}=...")
            return values[node.id]
        if isinstance(node, ast.UnaryOp):
            return -ev(node.operand) if isinstance(node.op, ast.USub) else ev(node.operand)
        if isinstance(node, ast.BinOp):
            left, right = ev(node.left), ev(node.right)
            if not isinstance(left, gg.Tensor):
                left = gg.tensor(left)
            return getattr(left, _BINOPS[type(node.op)])(right)
        arg = ev(node.args[0])
        return getattr(gg, node.func.id)(arg if isinstance(arg, gg.Tensor) else gg.tensor(arg))

    return ev(tree)
