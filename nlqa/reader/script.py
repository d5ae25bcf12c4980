"""Whole pasted scripts: which layers the model holds, in the order data flows through them.

A small abstract interpreter over the statements ``source.parse_source`` found. Nothing is
executed or imported: names are bound to literals (module constants, default arguments), layer
objects (a layer call read by ``code._Reader`` with the literals substituted), containers
(``Sequential``, ``ModuleList``, ``OrderedDict``), tensors of the Keras functional API (the path
of layers applied since ``Input``), user classes (an ``nn.Module`` whose ``__init__`` registers
layers and whose ``forward`` orders them) and user functions (``def build_model(): ...``).
Anything else is *unknown*. Loops over literal ranges run, up to ``MAX_LAYERS`` layers; work is
bounded by a step budget and a call depth.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from ..core.spec import LayerSpec
from .code import CodeLayer, CodeReading, _Reader, _resolve, signatures

MAX_LAYERS = 1000       # layer objects one script may build
MAX_STEPS = 200_000     # AST nodes evaluated
MAX_DEPTH = 40          # nested user calls / instantiations
MAX_ITEMS = 10_000      # elements of one literal range, list or string built by the script
ZERO_KINDS = {"Flatten", "Dropout", "Activation"}
QUERY_METHODS = {"summary", "count_params", "parameters", "named_parameters", "compile", "fit",
                 "evaluate", "predict", "state_dict", "trainable_weights", "weights"}
CHAIN_METHODS = {"to", "cuda", "cpu", "double", "float", "half", "train", "eval", "requires_grad_"}
FLATTENING = {"view", "reshape", "flatten"}
EFFECT_METHODS = {"add", "append", "extend", "insert", "add_module", "register_module",
                  "requires_grad_", "build", "setattr", "register_parameter", "add_weight"}


class Abort(Exception):
    """The script cannot be read (a limit was hit); the message says why, for the user."""


class _Return(Exception):
    def __init__(self, value: Any):
        self.value = value


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


# -- values ---------------------------------------------------------------------------------------

@dataclass(eq=False)
class Layer:
    """One layer object (one constructor call); ``layers`` is what it counts as."""

    layers: list[CodeLayer]
    source: str = ""
    frozen: bool = False
    merge: str | None = None          # a merge layer (Add, Concatenate): "add" or "concat"


@dataclass(eq=False)
class Model:
    """Sequential / ModuleList / ModuleDict / a functional keras.Model: layers in a known order."""

    kind: str                          # sequential | list | functional
    items: list = field(default_factory=list)
    namespace: str = "keras"
    input_shape: tuple | None = None


@dataclass(eq=False)
class Tensor:
    """A value flowing through layers: the functional API's tensors, forward()'s argument."""

    path: tuple = ()                   # the layers applied, in order
    shape: tuple | None = None         # the shape of the Input it comes from
    branched: str = ""                 # why the path is not a single chain
    batch: bool = False                # data made in the script (np.zeros((1, 20))): shape has a batch axis


@dataclass(eq=False)
class ClassInfo:
    node: ast.ClassDef
    globals: dict
    parent: "ClassInfo | None" = None
    framework: str | None = None       # pytorch | keras for module classes, else None
    attrs: dict = field(default_factory=dict)

    def method(self, name: str) -> "Function | None":
        """The method ``name`` (here or inherited), as a Function that knows its class."""
        for stmt in self.node.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name == name:
                return Function(stmt, self.globals, owner=self)
        return self.parent.method(name) if self.parent else None

    def attr(self, name: str) -> Any:
        if name in self.attrs:
            return self.attrs[name]
        return self.parent.attr(name) if self.parent else MISSING


@dataclass(eq=False)
class Instance:
    cls: ClassInfo
    attrs: dict = field(default_factory=dict)
    input_shape: tuple | None = None
    order: list | None = None          # layers in forward order (computed once)


@dataclass(eq=False)
class Function:
    node: ast.FunctionDef | ast.Lambda
    globals: dict
    bound: Any = None                  # self, for a method
    owner: "ClassInfo | None" = None   # the class that defines it (for super())


@dataclass(eq=False)
class Ref:
    """A name from an import or a name never assigned: ``torch.nn``, ``keras.layers.Dense``."""

    dotted: str


@dataclass(eq=False)
class Unknown:
    what: str = ""
    layerish: bool = False             # the result of a call that looks like a layer class


@dataclass(eq=False)
class Method:
    target: Any
    name: str


@dataclass(eq=False)
class Params:
    """``X.parameters()``; iterating it gives one ParamRef standing for all of them."""

    owner: Any


@dataclass(eq=False)
class TooLong:
    """``range(n)`` with more elements than a script may build layers from."""

    length: int


@dataclass(eq=False)
class Builtin:
    name: str


MISSING = object()
LAYERISH_ROOTS = ("torch", "nn", "keras", "tf", "layers", "tensorflow")


def _is_literal(value: Any) -> bool:
    if isinstance(value, (bool, int, float, str, type(None))):
        return True
    if isinstance(value, (tuple, list)) and len(value) <= 64:
        return all(_is_literal(v) for v in value)
    return False


def _literal_node(value: Any) -> ast.expr:
    if isinstance(value, (tuple, list)):
        return ast.Tuple([_literal_node(v) for v in value], ast.Load())
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
        return ast.UnaryOp(ast.USub(), ast.Constant(-value))
    return ast.Constant(value)


def _dotted_node(dotted: str) -> ast.expr:
    parts = dotted.split(".")
    node: ast.expr = ast.Name(parts[0], ast.Load())
    for part in parts[1:]:
        node = ast.Attribute(node, part, ast.Load())
    return node


def _short(node: ast.AST, limit: int = 80) -> str:
    try:
        text = ast.unparse(node)
    except (RecursionError, ValueError):
        text = type(node).__name__
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _out_width(layer: CodeLayer) -> int | None:
    """The features a Dense/recurrent/embedding layer gives the next one (None: not known here)."""
    spec = layer.spec
    if spec.kind not in ("Dense", "SimpleRNN", "LSTM", "GRU", "Embedding") or not isinstance(spec.units, int):
        return None
    width = spec.proj_size or spec.units
    return width * 2 if spec.bidirectional and spec.merge_mode == "concat" else width


def _effectful(node: ast.AST, env: dict) -> bool:
    """Whether a block may build or change layers (worth running a loop or branch for)."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            func = sub.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name in EFFECT_METHODS or name[:1].isupper():
                return True
            if isinstance(func, ast.Name) and isinstance(env.get(name), (Function, ClassInfo)):
                return True
            if name and _resolve(_short(func)) is not None:
                return True
        elif isinstance(sub, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = sub.targets if isinstance(sub, ast.Assign) else [sub.target]
            for target in targets:
                for t in ast.walk(target):
                    if isinstance(t, ast.Attribute) and (t.attr in ("trainable", "requires_grad")
                                                         or _short(t.value) == "self"):
                        return True
    return False


# -- the interpreter ------------------------------------------------------------------------------

class Interpreter:
    def __init__(self, reading: CodeReading):
        self.reading = reading
        self.reader = _Reader(reading)
        self.steps = 0
        self.depth = 0
        self.layer_count = 0
        self.globals: dict[str, Any] = {"__name__": "__main__"}
        self.forward_uses: list | None = None     # while a forward() runs: the layers it calls
        self.forward_flat: list | None = None     # ... and where it flattens (x.view(-1, ...))
        self.branched: list[str] = []
        self.bound: list = []          # models bound to module-level names or left as expressions
        self.created: list = []        # module instances created at module level
        self.referenced: list = []     # models a query (summary, parameters()) is asked of
        self.unknown_models: list[str] = []   # queried or changed objects nlqa cannot read
        self.queries: list[str] = []   # quantity each query asks for
        self.classes: list[ClassInfo] = []
        self.notes: list[str] = []
        self.problems: list[str] = []
        self.tensor_inputs: list[tuple] = []
        self.inputs: list[tuple] = []          # shapes of keras.Input(...) calls
        self.self_stack: list = []
        self.forward_owner: Instance | None = None
        self.missing_attrs: list[str] = []
        self.call_branched: list[str] = []

    # -- statements -----------------------------------------------------------------------------
    def run(self, statements: list[ast.stmt]) -> None:
        for stmt in statements:
            try:
                self.stmt(stmt, self.globals)
            except (_Return, _Break, _Continue):
                continue

    def block(self, body: list[ast.stmt], env: dict) -> None:
        for stmt in body:
            self.stmt(stmt, env)

    def tick(self) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise Abort("a script this long (nlqa reads scripts of up to a few thousand statements)")

    def stmt(self, node: ast.stmt, env: dict) -> None:
        self.tick()
        module = env is self.globals
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    env[alias.asname] = Ref(alias.name)
                else:
                    env[alias.name.split(".")[0]] = Ref(alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            for alias in node.names:
                if alias.name != "*":
                    env[alias.asname or alias.name] = Ref(f"{base}.{alias.name}" if base else alias.name)
        elif isinstance(node, ast.Assign):
            value = self.expr(node.value, env)
            for target in node.targets:
                self.assign(target, value, env)
            named = any(isinstance(t, ast.Name) for t in node.targets)
            if module and named and (isinstance(value, (Model, Instance, Layer))
                                     or isinstance(value, Tensor) and value.path):
                self.bound.append(value)
        elif isinstance(node, ast.AnnAssign):
            if node.value is not None:
                value = self.expr(node.value, env)
                self.assign(node.target, value, env)
                if module and isinstance(node.target, ast.Name) and isinstance(value, (Model, Instance)):
                    self.bound.append(value)
        elif isinstance(node, ast.AugAssign):
            current = self.expr(ast.Name(node.target.id, ast.Load()), env) if isinstance(node.target, ast.Name) else Unknown()
            value = self.binop(node.op, current, self.expr(node.value, env))
            self.assign(node.target, value, env)
        elif isinstance(node, ast.Expr):
            value = self.expr(node.value, env)
            if module and isinstance(value, (Model, Instance)):
                self.bound.append(value)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            env[node.name] = Function(node, self.globals)
        elif isinstance(node, ast.ClassDef):
            self.classdef(node, env)
        elif isinstance(node, ast.Return):
            raise _Return(self.expr(node.value, env) if node.value is not None else None)
        elif isinstance(node, ast.If):
            self.branch(node, env)
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            self.loop(node, env)
        elif isinstance(node, ast.While):
            if self.forward_uses is not None:
                self.guarded(node.body, env)
            elif _effectful(node, {**self.globals, **env}):
                self.problem(f"layers built in a while loop ({_short(node.test)})")
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                value = self.expr(item.context_expr, env)
                if item.optional_vars is not None:
                    self.assign(item.optional_vars, value, env)
            self.block(node.body, env)
        elif isinstance(node, ast.Try):
            self.block(node.body, env)
            self.block(node.orelse, env)
            self.block(node.finalbody, env)
        elif isinstance(node, ast.Break):
            raise _Break()
        elif isinstance(node, ast.Continue):
            raise _Continue()
        elif isinstance(node, ast.Raise):
            raise _Return(None)

    def guarded(self, body: list[ast.stmt], env: dict) -> None:
        try:
            self.block(body, env)
        except (_Break, _Continue):
            pass

    def branch(self, node: ast.If, env: dict) -> None:
        test = self.truth(self.expr(node.test, env))
        if test is True:
            self.block(node.body, env)
        elif test is False:
            self.block(node.orelse, env)
        elif self.forward_uses is not None:   # forward(): both branches show which layers are used
            self.block(node.body, env)
            self.block(node.orelse, env)
        elif _effectful(node, {**self.globals, **env}):
            self.problem(f"layers that depend on a condition nlqa cannot decide (if {_short(node.test, 50)})")

    def loop(self, node: ast.For, env: dict) -> None:
        source = self.expr(node.iter, env)
        if isinstance(source, TooLong) and _effectful(node, {**self.globals, **env}) and self.forward_uses is None:
            raise Abort(f"a loop of {source.length:,} iterations that builds layers (nlqa reads at most "
                        f"{MAX_LAYERS:,} layers)")
        iterable = self.iterate(source)
        if iterable is None:
            if self.forward_uses is not None:
                self.assign(node.target, Unknown(), env)
                self.guarded(node.body, env)
            elif _effectful(node, {**self.globals, **env}):
                self.problem(f"layers built in a loop over {_short(node.iter, 50)}, whose length nlqa does not know")
            return
        if not _effectful(node, {**self.globals, **env}) and self.forward_uses is None:
            return                      # a training loop: nothing to read
        for item in iterable:
            self.assign(node.target, item, env)
            try:
                self.block(node.body, env)
            except _Break:
                break
            except _Continue:
                continue
        else:
            self.block(node.orelse, env)

    def classdef(self, node: ast.ClassDef, env: dict) -> None:
        bases = [self.expr(b, env) for b in node.bases]
        info = ClassInfo(node, self.globals)
        for base in bases:
            if isinstance(base, ClassInfo):
                info.parent = info.parent or base
                info.framework = info.framework or base.framework
            elif isinstance(base, Ref):
                last = base.dotted.split(".")[-1]
                if last.endswith("Module"):
                    info.framework = "pytorch"
                elif last in ("Model", "Layer"):
                    info.framework = "keras"
        if info.framework:
            self.reading.frameworks.add(info.framework)
        scope: dict = {}
        for stmt in node.body:
            if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and getattr(stmt, "value", None) is not None:
                value = self.expr(stmt.value, {**self.globals, **scope})
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                for target in targets:
                    if isinstance(target, ast.Name):
                        scope[target.id] = info.attrs[target.id] = value
        env[node.name] = info
        self.classes.append(info)

    # -- assignment -----------------------------------------------------------------------------
    def assign(self, target: ast.expr, value: Any, env: dict) -> None:
        if isinstance(target, ast.Name):
            env[target.id] = value
        elif isinstance(target, (ast.Tuple, ast.List)):
            values = self.iterate(value)
            if values is not None and len(values) == len(target.elts) and not any(
                    isinstance(e, ast.Starred) for e in target.elts):
                for t, v in zip(target.elts, values):
                    self.assign(t, v, env)
            else:
                filler = value if isinstance(value, Tensor) else Unknown()
                for t in target.elts:
                    self.assign(t.value if isinstance(t, ast.Starred) else t, filler, env)
        elif isinstance(target, ast.Attribute):
            owner = self.expr(target.value, env)
            self.setattr(owner, target.attr, value)
        elif isinstance(target, ast.Subscript):
            owner = self.expr(target.value, env)
            key = self.expr(target.slice, env)
            if isinstance(owner, list) and isinstance(key, int) and -len(owner) <= key < len(owner):
                owner[key] = value
            elif isinstance(owner, dict) and _is_literal(key):
                owner[key] = value
            elif isinstance(owner, Model) and isinstance(key, int) and -len(owner.items) <= key < len(owner.items):
                owner.items[key] = value

    def setattr(self, owner: Any, name: str, value: Any) -> None:
        if name in ("trainable", "requires_grad"):
            if value is False or value is True:
                target = owner.owner if isinstance(owner, Params) else owner
                if isinstance(target, (Layer, Model, Instance)):
                    self.freeze(target, not value)
                    return
            if isinstance(owner, (Params, Layer, Model, Instance)):
                self.problem(f"a {name} setting nlqa cannot read ({name} = {value!r})")
            return
        if isinstance(owner, Instance):
            owner.attrs[name] = value
            owner.order = None
        elif isinstance(owner, Unknown) and isinstance(value, (Layer, Model, Instance)):
            self.unknown_models.append(owner.what or "an object nlqa cannot read")

    def freeze(self, target: Any, frozen: bool) -> None:
        """requires_grad / trainable set on what exists now (a head added later stays trainable)."""
        for layer in self.expand(target):
            layer.frozen = frozen

    # -- expressions ----------------------------------------------------------------------------
    def expr(self, node: ast.expr | None, env: dict) -> Any:
        if node is None:
            return None
        self.tick()
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            return self.lookup(node.id, env)
        if isinstance(node, ast.Attribute):
            return self.getattr(self.expr(node.value, env), node.attr, node)
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            items = self.elements(node.elts, env)
            return items if isinstance(node, ast.List) else tuple(items)
        if isinstance(node, ast.Dict):
            out = {}
            for k, v in zip(node.keys, node.values):
                if k is None:
                    extra = self.expr(v, env)
                    if isinstance(extra, dict):
                        out.update(extra)
                    continue
                key = self.expr(k, env)
                if _is_literal(key) and not isinstance(key, list):
                    out[key] = self.expr(v, env)
            return out
        if isinstance(node, ast.BinOp):
            return self.binop(node.op, self.expr(node.left, env), self.expr(node.right, env))
        if isinstance(node, ast.UnaryOp):
            operand = self.expr(node.operand, env)
            if isinstance(node.op, ast.Not):
                truth = self.truth(operand)
                return Unknown() if truth is None else not truth
            if isinstance(operand, (int, float)) and not isinstance(operand, bool):
                return -operand if isinstance(node.op, ast.USub) else operand if isinstance(node.op, ast.UAdd) else Unknown()
            return operand if isinstance(operand, Tensor) else Unknown()
        if isinstance(node, ast.BoolOp):
            values = [self.truth(self.expr(v, env)) for v in node.values]
            if isinstance(node.op, ast.And):
                return False if False in values else (True if all(v is True for v in values) else Unknown())
            return True if True in values else (False if all(v is False for v in values) else Unknown())
        if isinstance(node, ast.Compare):
            return self.compare(node, env)
        if isinstance(node, ast.IfExp):
            test = self.truth(self.expr(node.test, env))
            if test is None:
                return Unknown()
            return self.expr(node.body if test else node.orelse, env)
        if isinstance(node, ast.Subscript):
            return self.subscript(self.expr(node.value, env), node.slice, env)
        if isinstance(node, ast.Call):
            return self.call(node, env)
        if isinstance(node, (ast.ListComp, ast.GeneratorExp, ast.SetComp)):
            return self.comprehension(node, env)
        if isinstance(node, ast.DictComp):
            return Unknown()
        if isinstance(node, ast.JoinedStr):
            parts = []
            for value in node.values:
                part = self.expr(value.value, env) if isinstance(value, ast.FormattedValue) else self.expr(value, env)
                if not isinstance(part, (str, int, float)):
                    return Unknown()
                parts.append(str(part))
            return "".join(parts)
        if isinstance(node, ast.NamedExpr):
            value = self.expr(node.value, env)
            self.assign(node.target, value, env)
            return value
        if isinstance(node, ast.Lambda):
            return Function(node, self.globals)
        if isinstance(node, ast.Starred):
            return self.expr(node.value, env)
        return Unknown()

    def lookup(self, name: str, env: dict) -> Any:
        if name in env:
            return env[name]
        if name in self.globals:
            return self.globals[name]
        if name in BUILTINS:
            return Builtin(name)
        return Ref(name)

    def elements(self, nodes: list[ast.expr], env: dict) -> list:
        items: list = []
        for element in nodes:
            if isinstance(element, ast.Starred):
                inner = self.iterate(self.expr(element.value, env))
                items += inner if inner is not None else [Unknown()]
            else:
                items.append(self.expr(element, env))
            if len(items) > MAX_ITEMS:
                raise Abort(f"a list of more than {MAX_ITEMS:,} elements")
        return items

    def truth(self, value: Any) -> bool | None:
        if isinstance(value, (bool, int, float, str, tuple, list, dict, type(None))):
            return bool(value)
        if isinstance(value, (Layer, Model, Instance, ClassInfo, Function)):
            return True
        return None

    def compare(self, node: ast.Compare, env: dict) -> Any:
        left = self.expr(node.left, env)
        for op, right_node in zip(node.ops, node.comparators):
            right = self.expr(right_node, env)
            if isinstance(op, (ast.Is, ast.IsNot)) and (left is None or right is None) and (
                    _is_literal(left) and _is_literal(right)):
                result = (left is right) == isinstance(op, ast.Is)
            elif not (_is_literal(left) and _is_literal(right)):
                return Unknown()
            else:
                try:
                    result = {ast.Eq: lambda a, b: a == b, ast.NotEq: lambda a, b: a != b,
                              ast.Lt: lambda a, b: a < b, ast.LtE: lambda a, b: a <= b,
                              ast.Gt: lambda a, b: a > b, ast.GtE: lambda a, b: a >= b,
                              ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
                              }[type(op)](left, right)
                except (KeyError, TypeError):
                    return Unknown()
            if not result:
                return False
            left = right
        return True

    def binop(self, op: ast.operator, left: Any, right: Any) -> Any:
        if isinstance(left, Tensor) or isinstance(right, Tensor):
            tensors = [v for v in (left, right) if isinstance(v, Tensor)]
            return self.merge(tensors, "add") if len(tensors) == 2 else tensors[0]
        numbers = (int, float)
        if isinstance(left, bool) or isinstance(right, bool):
            return Unknown()
        try:
            if isinstance(left, numbers) and isinstance(right, numbers):
                if isinstance(op, ast.Pow) and (abs(right) > 64 or abs(left) > 10**6):
                    return Unknown()
                if abs(left) > 10**30 or abs(right) > 10**30:
                    return Unknown()
                return {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b,
                        ast.Mult: lambda a, b: a * b, ast.FloorDiv: lambda a, b: a // b,
                        ast.Div: lambda a, b: a / b, ast.Mod: lambda a, b: a % b,
                        ast.Pow: lambda a, b: a ** b}[type(op)](left, right)
            if isinstance(op, ast.Add) and type(left) is type(right) and isinstance(left, (str, tuple, list)):
                if len(left) + len(right) > MAX_ITEMS:
                    raise Abort(f"a list of more than {MAX_ITEMS:,} elements")
                return left + right
            if isinstance(op, ast.Mult) and isinstance(left, (str, tuple, list)) and isinstance(right, int):
                left, right = right, left
            if isinstance(op, ast.Mult) and isinstance(right, (str, tuple, list)) and isinstance(left, int):
                if left * len(right) > MAX_ITEMS:
                    raise Abort(f"a list of more than {MAX_ITEMS:,} elements")
                return right * left if not isinstance(right, list) else [x for _ in range(left) for x in right]
            if isinstance(op, ast.Mod) and isinstance(left, str):
                return Unknown()
        except (KeyError, ZeroDivisionError, OverflowError, TypeError, ValueError):
            return Unknown()
        return Unknown()

    def subscript(self, value: Any, index_node: ast.expr, env: dict) -> Any:
        if isinstance(value, Tensor):
            self.expr(index_node, env)
            return value
        items = value.items if isinstance(value, Model) else value
        if isinstance(index_node, ast.Slice):
            lower, upper, step = (self.expr(n, env) if n is not None else None
                                  for n in (index_node.lower, index_node.upper, index_node.step))
            if isinstance(items, (list, tuple, str)) and all(v is None or isinstance(v, int) for v in (lower, upper, step)) \
                    and step != 0:
                return items[lower:upper:step]
            return Unknown()
        key = self.expr(index_node, env)
        if isinstance(items, (list, tuple, str)) and isinstance(key, int) and not isinstance(key, bool):
            return items[key] if -len(items) <= key < len(items) else Unknown()
        if isinstance(items, dict) and _is_literal(key) and not isinstance(key, list):
            return items.get(key, Unknown())
        if isinstance(value, Instance):
            return Unknown()
        return Unknown()

    def comprehension(self, node: ast.ListComp | ast.GeneratorExp | ast.SetComp, env: dict) -> Any:
        results: list = []
        scope = dict(env) if env is not self.globals else {}

        def run(k: int, local: dict) -> bool:
            if k == len(node.generators):
                results.append(self.expr(node.elt, local))
                if len(results) > MAX_ITEMS:
                    raise Abort(f"a list of more than {MAX_ITEMS:,} elements")
                return True
            gen = node.generators[k]
            source = self.expr(gen.iter, local)
            if isinstance(source, TooLong) and _effectful(node.elt, local):
                raise Abort(f"a list of {source.length:,} layers built by a comprehension (nlqa reads at most "
                            f"{MAX_LAYERS:,} layers)")
            items = self.iterate(source)
            if items is None:
                return False
            for item in items:
                inner = dict(local)
                self.assign(gen.target, item, inner)
                conditions = [self.truth(self.expr(c, inner)) for c in gen.ifs]
                if None in conditions:
                    return False
                if all(conditions) and not run(k + 1, inner):
                    return False
            return True

        merged = {**self.globals, **scope} if env is self.globals else scope
        if not run(0, merged):
            return Unknown()
        return results

    def iterate(self, value: Any) -> list | None:
        if isinstance(value, (list, tuple, str)):
            return list(value)
        if isinstance(value, dict):
            return list(value.keys())
        if isinstance(value, Model):
            return list(value.items)
        if isinstance(value, Params):
            return [Params(value.owner)]
        if isinstance(value, Tensor):
            return None
        return None

    # -- attributes -----------------------------------------------------------------------------
    def getattr(self, owner: Any, name: str, node: ast.AST) -> Any:
        if isinstance(owner, Ref):
            return Ref(f"{owner.dotted}.{name}")
        if isinstance(owner, Instance):
            if name in owner.attrs:
                return owner.attrs[name]
            method = owner.cls.method(name)
            if method is not None:
                return Function(method.node, method.globals, bound=owner, owner=method.owner)
            value = owner.cls.attr(name)
            if value is not MISSING:
                return value
            return Method(owner, name)
        if isinstance(owner, ClassInfo):
            value = owner.attr(name)
            if value is not MISSING:
                return value
            method = owner.method(name)
            return method if method is not None else Unknown()
        if isinstance(owner, Model) and name == "layers":
            return list(owner.items)
        if isinstance(owner, (Model, Layer, Tensor, Params, list, dict, Super)):
            if name in ("trainable_weights", "trainable_variables", "non_trainable_weights"):
                self.query(owner, "non_trainable" if name.startswith("non") else "trainable")
            return Method(owner, name)
        if isinstance(owner, Unknown):
            return Method(owner, name)
        return Unknown()

    # -- calls ----------------------------------------------------------------------------------
    def call(self, node: ast.Call, env: dict) -> Any:
        func = self.expr(node.func, env)
        args = self.elements(node.args, env)
        kwargs: dict[str, Any] = {}
        for keyword in node.keywords:
            value = self.expr(keyword.value, env)
            if keyword.arg is None:
                if isinstance(value, dict):
                    kwargs.update({str(k): v for k, v in value.items()})
            else:
                kwargs[keyword.arg] = value
        if isinstance(func, Function):
            return self.invoke(func, args, kwargs)
        if isinstance(func, ClassInfo):
            return self.instantiate(func, args, kwargs, node)
        if isinstance(func, Method):
            return self.method(func, args, kwargs, node)
        if isinstance(func, (Layer, Model, Instance)):
            return self.apply(func, args)
        if isinstance(func, Builtin):
            return self.builtin(func.name, args, kwargs, node)
        if isinstance(func, Ref):
            return self.framework_call(func.dotted, node, args, kwargs, env)
        tensors = [a for a in args if isinstance(a, Tensor)]
        return tensors[0] if len(tensors) == 1 else Unknown(_short(node))

    def invoke(self, func: Function, args: list, kwargs: dict, self_value: Any = MISSING) -> Any:
        if self.depth >= MAX_DEPTH:
            raise Abort("functions that call each other too deeply")
        bound = func.bound if self_value is MISSING else self_value
        local = self.bind(func.node.args, ([bound] if bound is not None else []) + list(args), kwargs, func.globals)
        self.depth += 1
        self.self_stack.append(_SelfInfo(func.owner, bound) if func.owner is not None else None)
        try:
            if isinstance(func.node, ast.Lambda):
                return self.expr(func.node.body, local)
            self.block(func.node.body, local)
        except _Return as result:
            return result.value
        except (_Break, _Continue):
            return None
        finally:
            self.depth -= 1
            self.self_stack.pop()
        return None

    def bind(self, spec: ast.arguments, args: list, kwargs: dict, globals_: dict) -> dict:
        params = [a.arg for a in spec.posonlyargs + spec.args]
        defaults = [None] * (len(params) - len(spec.defaults)) + list(spec.defaults)
        local: dict[str, Any] = {}
        for i, name in enumerate(params):
            if i < len(args):
                local[name] = args[i]
            elif name in kwargs:
                local[name] = kwargs[name]
            elif defaults[i] is not None:
                local[name] = self.expr(defaults[i], globals_)
            else:
                local[name] = Unknown(name)
        for arg, default in zip(spec.kwonlyargs, spec.kw_defaults):
            local[arg.arg] = kwargs.get(arg.arg, self.expr(default, globals_) if default is not None else Unknown(arg.arg))
        if spec.vararg:
            local[spec.vararg.arg] = tuple(args[len(params):])
        if spec.kwarg:
            local[spec.kwarg.arg] = {k: v for k, v in kwargs.items() if k not in params}
        return local

    def instantiate(self, cls: ClassInfo, args: list, kwargs: dict, node: ast.Call) -> Any:
        if self.depth >= MAX_DEPTH:
            raise Abort("classes that build each other too deeply")
        instance = Instance(cls)
        init = cls.method("__init__")
        if init is not None:
            self.invoke(init, args, kwargs, self_value=instance)
        if cls.framework and self.depth == 0 and self.forward_uses is None:
            self.created.append(instance)
        return instance

    def apply(self, func: Layer | Model | Instance, args: list) -> Any:
        """A layer or model called on a tensor (functional API, forward())."""
        if self.forward_uses is not None:
            self.forward_uses.append(func)
        elif isinstance(func, (Model, Instance)) and func.input_shape is None:
            data = next((a for a in args if isinstance(a, Tensor) and a.batch and a.shape), None)
            if data is not None:
                func.input_shape = data.shape[1:]    # model(np.zeros((1, 20))) builds it for 20 features
        if isinstance(func, Layer) and func.merge:
            inputs = args[0] if args and isinstance(args[0], (list, tuple)) else args
            return self.merge([t for t in inputs if isinstance(t, Tensor)], func.merge)
        source = next((a for a in args if isinstance(a, Tensor)), None)
        if source is None:
            return Tensor((func,))
        return Tensor(source.path + (func,), source.shape, source.branched)

    def merge(self, tensors: list[Tensor], op: str) -> Tensor:
        if not tensors:
            return Tensor()
        paths = [t.path for t in tensors]
        longest = max(paths, key=len)
        chained = all(p == longest[:len(p)] for p in paths)
        shape = tensors[0].shape
        if chained and op == "add" and all(t.shape == shape for t in tensors):
            return Tensor(longest, shape, next((t.branched for t in tensors if t.branched), ""))
        reason = "layers whose outputs are concatenated" if op == "concat" else "branches that merge"
        self.branched.append(reason)
        seen, path = set(), []
        for p in paths:
            for item in p:
                if id(item) not in seen:
                    seen.add(id(item))
                    path.append(item)
        return Tensor(tuple(path), shape, reason)

    def query(self, owner: Any, quantity: str | None) -> None:
        """A model asked for its parameters / summary: it is the model the question is about."""
        if self.forward_uses is not None:
            return
        target = owner.owner if isinstance(owner, Params) else owner
        if isinstance(target, (Layer, Model, Instance)):
            self.referenced.append(target)
        elif isinstance(target, Unknown) and target.what:
            self.unknown_models.append(target.what)
        if quantity:
            self.queries.append(quantity)

    def method(self, func: Method, args: list, kwargs: dict, node: ast.Call) -> Any:
        target, name = func.target, func.name
        if isinstance(target, Super):
            parent = target.cls.parent if target.cls else None
            if parent is not None:
                method = parent.method(name)
                if method is not None:
                    return self.invoke(method, args, kwargs, self_value=target.instance)
            return None
        if isinstance(target, list):
            if name == "append" and args:
                target.append(args[0])
            elif name == "extend" and args:
                target.extend(self.iterate(args[0]) or [Unknown()])
            elif name == "insert" and len(args) == 2 and isinstance(args[0], int):
                target.insert(args[0], args[1])
            elif name == "pop" and target:
                return target.pop(args[0] if args and isinstance(args[0], int) else -1)
            if len(target) > MAX_ITEMS:
                raise Abort(f"a list of more than {MAX_ITEMS:,} elements")
            return None
        if isinstance(target, dict):
            if name == "items":
                return [tuple(kv) for kv in target.items()]
            if name == "values":
                return list(target.values())
            if name == "keys":
                return list(target.keys())
            if name == "get" and args:
                return target.get(args[0], args[1] if len(args) > 1 else None)
            if name == "update" and args and isinstance(args[0], dict):
                target.update(args[0])
            return Unknown()
        if isinstance(target, Tensor):
            if name in FLATTENING and self.forward_flat is not None:
                self.forward_uses.append(FLATTEN_MARK)
            return target
        if isinstance(target, Params):
            if name == "requires_grad_":
                self.freeze(target.owner, not (args[0] if args else True))
            return Unknown()
        if isinstance(target, Unknown):
            if name in QUERY_METHODS and target.what and self.forward_uses is None:
                self.unknown_models.append(target.what)
            if name in ("add", "add_module") and any(isinstance(a, (Layer, Model)) for a in args):
                self.unknown_models.append(target.what or "an object nlqa cannot read")
            tensors = [a for a in args if isinstance(a, Tensor)]
            return tensors[0] if len(tensors) == 1 else Unknown()
        # Layer, Model or Instance
        if name == "parameters" or name == "named_parameters":
            self.query(target, None)
            return Params(target)
        if name in ("summary", "count_params"):
            self.query(target, "total")
            return None
        if name in ("compile", "fit", "evaluate", "predict", "state_dict"):
            self.query(target, None)
            return Unknown()
        if name == "requires_grad_":
            self.freeze(target, not (args[0] if args else True))
            return target
        if name in CHAIN_METHODS:
            return target
        if name == "build" and args:
            shape = args[0] if not kwargs else kwargs.get("input_shape", args[0])
            if isinstance(shape, (tuple, list)) and len(shape) >= 2:
                dims = tuple(shape[1:])
                if all(d is None or isinstance(d, int) for d in dims):
                    if isinstance(target, (Model, Instance)):
                        target.input_shape = dims
                    if isinstance(target, Instance) and target.cls.framework == "keras" \
                            and target.cls.method("build") is None:
                        self.notes.append("model.build() read as building every layer for the input "
                                          f"{dims} (tf.keras 2.x); in Keras 3 build() does not create the "
                                          "layers of a subclassed model, whose summary() shows 0 parameters "
                                          "until the model is called on data")
            return None
        if isinstance(target, Model):
            if name in ("add", "append") and args:
                self.add_item(target, args[0])
            elif name == "extend" and args:
                for item in self.iterate(args[0]) or []:
                    self.add_item(target, item)
            elif name == "insert" and len(args) == 2 and isinstance(args[0], int):
                target.items.insert(args[0], args[1])
            elif name == "add_module" and len(args) == 2:
                self.add_item(target, args[1])
            elif name == "pop" and target.items:
                return target.items.pop()
            return None
        if isinstance(target, Instance):
            if name in ("add_module", "register_module") and len(args) == 2 and isinstance(args[0], str):
                target.attrs[args[0]] = args[1]
                target.order = None
                return None
            if name in ("register_parameter", "add_weight"):
                self.problem(f"a raw parameter ({_short(node, 60)})")
                return Unknown()
            if name == "register_buffer":
                return None
            if self.forward_uses is not None:
                if target is self.forward_owner and name not in target.attrs and any(
                        isinstance(a, Tensor) for a in args):
                    self.missing_attrs.append(name)
                tensors = [a for a in args if isinstance(a, Tensor)]
                return tensors[0] if tensors else Unknown()
        return Unknown()

    def add_item(self, model: Model, item: Any) -> None:
        if isinstance(item, Tensor) and not item.path:
            model.input_shape = model.input_shape or item.shape
            return
        if isinstance(item, Unknown) and item.layerish:
            self.problem(f"{item.what} (a layer nlqa does not know)")
            return
        model.items.append(item)

    def builtin(self, name: str, args: list, kwargs: dict, node: ast.Call) -> Any:
        ints = all(isinstance(a, int) and not isinstance(a, bool) for a in args)
        if name == "range" and args and ints and len(args) <= 3:
            try:
                r = range(*args)
            except ValueError:
                return Unknown()
            if len(r) > MAX_LAYERS + 1:
                return TooLong(len(r))
            return list(r)
        if name == "len":
            items = self.iterate(args[0]) if args else None
            return len(items) if items is not None else Unknown()
        if name in ("list", "tuple", "reversed", "sorted"):
            items = self.iterate(args[0]) if args else []
            if items is None:
                return Unknown()
            items = list(reversed(items)) if name == "reversed" else items
            if name == "sorted":
                try:
                    items = sorted(items)
                except TypeError:
                    return Unknown()
            return tuple(items) if name == "tuple" else items
        if name == "zip":
            lists = [self.iterate(a) for a in args]
            if any(l is None for l in lists):
                return Unknown()
            return [tuple(t) for t in zip(*lists)]
        if name == "enumerate":
            items = self.iterate(args[0]) if args else None
            start = args[1] if len(args) > 1 and isinstance(args[1], int) else kwargs.get("start", 0)
            return [(i + start, v) for i, v in enumerate(items)] if items is not None and isinstance(start, int) else Unknown()
        if name in ("int", "float", "abs", "round", "str", "bool") and len(args) == 1 and _is_literal(args[0]):
            try:
                return {"int": int, "float": float, "abs": abs, "round": round, "str": str, "bool": bool}[name](args[0])
            except (TypeError, ValueError, OverflowError):
                return Unknown()
        if name in ("min", "max", "sum") and args:
            items = args if len(args) > 1 else self.iterate(args[0])
            if items and all(isinstance(i, (int, float)) and not isinstance(i, bool) for i in items):
                return {"min": min, "max": max, "sum": sum}[name](items)
            return Unknown()
        if name == "dict":
            out = dict(args[0]) if args and isinstance(args[0], dict) else {}
            out.update(kwargs)
            return out
        if name == "print":
            for a in args:
                if isinstance(a, (Model, Instance)):
                    self.query(a, None)
            return None
        if name == "getattr" and len(args) >= 2 and isinstance(args[1], str):
            return self.getattr(args[0], args[1], node)
        if name == "setattr" and len(args) == 3 and isinstance(args[1], str):
            self.setattr(args[0], args[1], args[2])
            return None
        if name == "super":
            owner = self.frame_self()
            cls = args[0] if args and isinstance(args[0], ClassInfo) else (owner.current if isinstance(owner, _SelfInfo) else None)
            return Super(cls, owner.instance if isinstance(owner, _SelfInfo) else None)
        if name == "isinstance":
            return Unknown()
        return Unknown()

    def frame_self(self) -> Any:
        return self.self_stack[-1] if self.self_stack else None

    # -- framework calls ------------------------------------------------------------------------
    def framework_call(self, dotted: str, node: ast.Call, args: list, kwargs: dict, env: dict) -> Any:
        last = dotted.split(".")[-1]
        if last == "OrderedDict":
            pairs = self.iterate(args[0]) if args else []
            out = {}
            for pair in pairs or []:
                if isinstance(pair, tuple) and len(pair) == 2 and _is_literal(pair[0]):
                    out[pair[0]] = pair[1]
            out.update(kwargs)
            return out
        if last == "Parameter" and ("nn" in dotted or "torch" in dotted):
            self.problem(f"a raw parameter tensor ({_short(node, 60)})")
            return Unknown()
        if last in ("summary",) and args and isinstance(args[0], (Model, Instance, Layer)):
            self.query(args[0], "total")
            size = kwargs.get("input_size", args[1] if len(args) > 1 else None)
            if isinstance(size, (tuple, list)) and size and all(isinstance(d, int) for d in size):
                size = tuple(size)
                if "torchsummary" in dotted:
                    size = (1,) + size
                self.tensor_inputs.append(size)
            return None
        if last == "count_params" and args:
            quantity = "trainable" if isinstance(args[0], Method) and args[0].name.startswith("trainable") else \
                "non_trainable" if isinstance(args[0], Method) and args[0].name.startswith("non") else "total"
            if isinstance(args[0], Method):
                self.query(args[0].target, quantity)
            return None
        resolved = _resolve(dotted)
        if resolved is None and last in DATA_FUNCTIONS and dotted.split(".")[0] in DATA_ROOTS:
            dims = args[0] if len(args) == 1 and isinstance(args[0], (tuple, list)) else kwargs.get("shape", args)
            if isinstance(dims, (tuple, list)) and len(dims) >= 2 and all(
                    isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in dims):
                return Tensor((), tuple(dims), batch=True)
            return Tensor()
        if resolved is None:
            tensors = [a for a in args if isinstance(a, Tensor)]
            if len(tensors) >= 2 or (args and isinstance(args[0], (list, tuple)) and
                                     sum(isinstance(t, Tensor) for t in args[0]) >= 2):
                inputs = tensors if len(tensors) >= 2 else [t for t in args[0] if isinstance(t, Tensor)]
                return self.merge(inputs, "concat" if "cat" in last.lower() or "stack" in last.lower() else "add")
            if tensors:
                if last.lower() == "flatten" and self.forward_flat is not None:
                    self.forward_uses.append(FLATTEN_MARK)
                return tensors[0]
            root = dotted.split(".")[0]
            layerish = last[:1].isupper() and (root in LAYERISH_ROOTS or "." not in dotted) and last != "OrderedDict"
            return Unknown(_short(node, 60), layerish=layerish)
        namespace, key, entry = resolved
        role = entry.get("role")
        if namespace == "torch":
            self.reading.frameworks.add("pytorch")
        elif dotted != key and role not in ("tensor", "ignore"):
            self.reading.frameworks.add("keras")
        if role == "container":
            return self.container(namespace, key, args, kwargs)
        if role == "input":
            shape = kwargs.get("shape", kwargs.get("input_shape", args[0] if args else None))
            shape = (shape,) if isinstance(shape, int) else shape
            shape = tuple(shape) if isinstance(shape, (tuple, list)) and all(
                d is None or isinstance(d, int) for d in shape) else None
            if shape is not None:
                self.inputs.append(shape)
            return Tensor((), shape)
        if role == "model":
            return self.functional(args, kwargs)
        if role in ("merge", "merge_fn"):
            op = entry.get("op", "add")
            if role == "merge_fn":
                inputs = args[0] if args and isinstance(args[0], (list, tuple)) else args
                return self.merge([t for t in inputs if isinstance(t, Tensor)], op)
            return Layer([], _short(node, 60), merge=op)
        if role == "wrapper":
            inner = kwargs.get("layer", args[0] if args else None)
            if not isinstance(inner, Layer):
                return Unknown(_short(node, 60), layerish=True)
            changes = dict(entry.get("sets", {}))
            mode = kwargs.get("merge_mode", args[1] if len(args) > 1 else None)
            if isinstance(mode, str):
                changes["merge_mode"] = mode
            shape = kwargs.get("input_shape")
            shape = tuple(shape) if isinstance(shape, (tuple, list)) and all(
                d is None or isinstance(d, int) for d in shape) else None
            layers = [CodeLayer(c.spec.with_(**changes), c.framework, c.input_shape or shape, c.source)
                      for c in inner.layers[:1]] + inner.layers[1:]
            return Layer(layers, _short(node, 60))
        if role == "ignore":
            return Layer([], _short(node, 60))
        synthetic = self.synthetic(dotted, node, args, kwargs, env)
        found = self.reader.call(synthetic)
        if role in ("tensor",):
            return Tensor()
        self.layer_count += max(len(found), 1)
        if self.layer_count > MAX_LAYERS:
            raise Abort(f"more than {MAX_LAYERS:,} layers (nlqa reads at most {MAX_LAYERS:,})")
        return Layer(found, _short(synthetic, 60))

    def synthetic(self, dotted: str, node: ast.Call, args: list, kwargs: dict, env: dict) -> ast.Call:
        """The call with every argument nlqa could work out written as a literal."""
        positional: list[ast.expr] = []
        originals = [a for a in node.args if not isinstance(a, ast.Starred)]
        starred = any(isinstance(a, ast.Starred) for a in node.args)
        for i, value in enumerate(args):
            original = originals[i] if not starred and i < len(originals) else ast.Name("_", ast.Load())
            positional.append(_literal_node(value) if _is_literal(value) else original)
        keywords = []
        written = {k.arg: k.value for k in node.keywords if k.arg}
        for name, value in kwargs.items():
            original = written.get(name, ast.Name(name, ast.Load()))
            keywords.append(ast.keyword(name, _literal_node(value) if _is_literal(value) else original))
        written = _short(node.func, 200)
        same = _resolve(written) is not None and _resolve(written)[:2] == _resolve(dotted)[:2]
        call = ast.Call(node.func if same else _dotted_node(dotted), positional, keywords)
        return ast.fix_missing_locations(call)

    def container(self, namespace: str, key: str, args: list, kwargs: dict) -> Model:
        model = Model("list" if key in ("ModuleList", "ModuleDict") else "sequential", namespace=namespace)
        if namespace == "torch":
            items = args
            if len(args) == 1 and isinstance(args[0], dict):
                items = list(args[0].values())
            elif key in ("ModuleList", "ModuleDict") and args:
                inner = args[0]
                items = list(inner.values()) if isinstance(inner, dict) else self.iterate(inner) or []
        else:
            first = kwargs.get("layers", args[0] if args else None)
            items = self.iterate(first) if first is not None else []
            if items is None:
                items = [Unknown("layers", layerish=True)]
        for item in items:
            self.add_item(model, item)
        return model

    def functional(self, args: list, kwargs: dict) -> Any:
        inputs = kwargs.get("inputs", args[0] if args else None)
        outputs = kwargs.get("outputs", args[1] if len(args) > 1 else None)
        if inputs is None and outputs is None:
            return Model("sequential")
        if isinstance(inputs, (list, tuple)) and len(inputs) == 1:
            inputs = inputs[0]
        if isinstance(outputs, (list, tuple)) and len(outputs) == 1:
            outputs = outputs[0]
        if isinstance(inputs, dict) or isinstance(outputs, dict) or isinstance(inputs, (list, tuple)) \
                or isinstance(outputs, (list, tuple)):
            self.problem("a functional model with several inputs or outputs")
            return Unknown()
        if not isinstance(outputs, Tensor):
            return Unknown("keras.Model(...)")
        if outputs.branched:
            self.problem(f"a functional model with {outputs.branched}")
        shape = inputs.shape if isinstance(inputs, Tensor) else outputs.shape
        return Model("functional", list(outputs.path), "keras", shape)

    # -- the model's layers ---------------------------------------------------------------------
    def expand(self, value: Any, frozen: bool = False) -> list[Layer]:
        """The layer objects of a model, in forward order (each once)."""
        out: list[Layer] = []
        seen: set[int] = set()

        def visit(v: Any, depth: int) -> None:
            if depth > MAX_DEPTH:
                raise Abort("models nested too deeply")
            if isinstance(v, Layer):
                if id(v) not in seen:
                    seen.add(id(v))
                    out.append(v)
            elif isinstance(v, Model):
                for item in v.items:
                    visit(item, depth + 1)
            elif isinstance(v, Instance):
                for item in self.instance_order(v):
                    visit(item, depth + 1)
            elif isinstance(v, Unknown) and v.layerish:
                self.problem(f"{v.what} (a layer nlqa does not know)")
        visit(value, 0)
        return out

    def instance_order(self, instance: Instance) -> list:
        if instance.order is not None:
            return instance.order
        instance.order = []
        registered: list = []
        for name, value in instance.attrs.items():
            if isinstance(value, (Layer, Model, Instance)):
                registered.append(value)
            elif isinstance(value, Unknown) and value.layerish:
                self.problem(f"self.{name} = {value.what} (a layer nlqa does not know)")
            elif isinstance(value, (list, tuple, dict)):
                items = list(value.values()) if isinstance(value, dict) else list(value)
                layers = [v for v in items if isinstance(v, (Layer, Model, Instance))]
                if layers and instance.cls.framework == "pytorch":
                    self.problem(f"layers kept in a plain Python {type(value).__name__} (self.{name}): PyTorch does "
                                 "not register them, so model.parameters() would not count them; use nn.ModuleList")
                registered += layers
        members = self.expand(Model("list", registered))
        forward_name = "forward" if instance.cls.framework != "keras" else "call"
        method = instance.cls.method(forward_name) or instance.cls.method("forward" if forward_name == "call" else "call")
        order: list = []
        if method is not None and members:
            uses = self.run_forward(instance, method)
            member_ids = {id(m) for m in members}
            seen: set[int] = set()
            for use in uses:
                if use is FLATTEN_MARK:
                    if order and order[-1] is not FLATTEN_MARK:
                        order.append(FLATTEN_MARK)
                    continue
                for layer in self.expand(use):
                    if id(layer) in member_ids and id(layer) not in seen:
                        seen.add(id(layer))
                        order.append(layer)
            unused = [m for m in members if id(m) not in seen]
            if order and order[-1] is FLATTEN_MARK:
                order.pop()
            counted = [m for m in unused if any(c.spec.kind not in ZERO_KINDS for c in m.layers)]
            names = ", ".join(m.source for m in counted[:3])
            if counted and instance.cls.framework == "keras":
                self.notes.append(f"{names} {'is' if len(counted) == 1 else 'are'} defined in __init__ but never "
                                  "called in call(): Keras never builds it, so it holds no parameters")
                counted = []
            elif counted:
                self.notes.append(f"{names} {'is' if len(counted) == 1 else 'are'} defined in __init__ but not used "
                                  f"in {forward_name}(); still counted, since model.parameters() includes every "
                                  "registered layer")
                self.check_unused(order, counted)
            order += counted
            if instance.cls.framework == "keras" and self.call_branched:
                self.problem(f"a model whose call() has {self.call_branched[0]}")
        else:
            order = members
        instance.order = order
        return order

    def check_unused(self, order: list, unused: list[Layer]) -> None:
        """Unused PyTorch layers go after the used ones; each must accept what the one before gives."""
        width = next((w for w in (_out_width(c) for item in reversed(order) if isinstance(item, Layer)
                                  for c in reversed(item.layers)) if w is not None), None)
        for layer in unused:
            first = layer.layers[0] if layer.layers else None
            declared = first.spec.in_features if first is not None else None
            if width is not None and declared is not None and declared != width:
                self.problem(f"a layer defined in __init__ but not used in forward() ({layer.source}); "
                             "model.parameters() counts it, but nlqa cannot yet place it after the layers "
                             "forward() uses")
                return
            width = next((w for w in (_out_width(c) for c in reversed(layer.layers)) if w is not None), width)

    def run_forward(self, instance: Instance, method: Function) -> list:
        saved = (self.forward_uses, self.forward_flat, self.forward_owner, self.missing_attrs, self.branched)
        self.forward_uses, self.forward_flat, self.forward_owner, self.missing_attrs = [], [], instance, []
        self.branched = []
        try:
            params = method.node.args.args[1:]
            args = [Tensor((), instance.input_shape)] if params else []
            try:
                self.invoke(method, args, {}, self_value=instance)
            except Abort:
                raise
            uses = self.forward_uses
            if self.missing_attrs:
                self.problem(f"self.{self.missing_attrs[0]}, which {method.node.name}() uses but __init__ does not "
                             "define (or defines on a line nlqa could not parse)")
            self.call_branched = self.branched
        finally:
            self.forward_uses, self.forward_flat, self.forward_owner, self.missing_attrs, branched = saved
            self.branched = branched
        return uses

    def problem(self, text: str) -> None:
        if text not in self.problems:
            self.problems.append(text)

    # -- the model the script is about ----------------------------------------------------------
    def chosen(self) -> Any:
        for pool in (self.referenced, self.bound, self.created):
            models = [m for m in pool if isinstance(m, (Model, Instance, Layer))]
            if models:
                return models[-1]
        tensors = [t for t in self.bound if isinstance(t, Tensor) and t.path]
        if tensors:
            last = tensors[-1]
            if last.branched:
                self.problem(f"a functional model with {last.branched}")
            return Model("functional", list(last.path), "keras", last.shape)
        modules = [c for c in self.classes if c.framework]
        used_inside = {n.id for c in modules for n in ast.walk(c.node) if isinstance(n, ast.Name)}
        standalone = [c for c in modules if c.node.name not in used_inside]
        if standalone:
            cls = standalone[-1]
            instance = self.instantiate(cls, [], {}, ast.Call(ast.Name(cls.node.name, ast.Load()), [], []))
            self.notes.append(f"{cls.node.name} is never instantiated; read with its default arguments")
            return instance
        return None

    def layers(self, model: Any) -> tuple[list[CodeLayer], tuple | None]:
        """The chosen model's CodeLayers in order, with its input shape."""
        if isinstance(model, Layer):
            return [self.with_frozen(c, model.frozen) for c in model.layers], None
        shape = self.input_shape(model)
        out: list[CodeLayer] = []
        for item in self.expand_with_flatten(model):
            if item is FLATTEN_MARK:
                framework = out[-1].framework if out else None
                out.append(CodeLayer(LayerSpec("Flatten", implicit=True, name="flatten (in forward)"), framework))
                continue
            out += [self.with_frozen(c, item.frozen) for c in item.layers]
        return out, shape

    def input_shape(self, model: Any, depth: int = 0) -> tuple | None:
        """The shape a model states for its input: its own, else its first member's."""
        if isinstance(model, (Model, Instance)) and model.input_shape is not None:
            return model.input_shape
        if isinstance(model, Model) and model.items and depth < MAX_DEPTH:
            return self.input_shape(model.items[0], depth + 1)
        return None

    def expand_with_flatten(self, model: Any) -> list:
        """Like expand(), keeping the flatten marks a forward() leaves between layers."""
        if isinstance(model, Instance):
            out = []
            for item in self.instance_order(model):
                out += [item] if item is FLATTEN_MARK or isinstance(item, Layer) else self.expand_with_flatten(item)
            return out
        if isinstance(model, Model):
            out = []
            for item in model.items:
                out += [item] if isinstance(item, Layer) else self.expand_with_flatten(item)
            return out
        return [model] if isinstance(model, Layer) else []

    @staticmethod
    def with_frozen(layer: CodeLayer, frozen: bool) -> CodeLayer:
        if not frozen:
            return layer
        return CodeLayer(layer.spec.with_(trainable=False), layer.framework, layer.input_shape, layer.source)


@dataclass(eq=False)
class Super:
    cls: ClassInfo | None
    instance: Any


@dataclass(eq=False)
class _SelfInfo:
    current: ClassInfo
    instance: Any


FLATTEN_MARK = object()
DATA_FUNCTIONS = {"zeros", "ones", "rand", "randn", "normal", "uniform", "empty", "random"}
DATA_ROOTS = {"np", "numpy", "tf", "tensorflow", "keras", "ops"}
BUILTINS = {"range", "len", "list", "tuple", "zip", "enumerate", "int", "float", "abs", "round", "str",
            "bool", "min", "max", "sum", "dict", "print", "getattr", "setattr", "super", "isinstance",
            "reversed", "sorted"}


# -- reading a script -----------------------------------------------------------------------------

PROMPT_REFERENCE = re.compile(r"\b(?:Out|In)\s?\[\s*\d*\s*\]")
QUANTITY_PHRASES = {"total": "parameters", "trainable": "trainable parameters",
                    "non_trainable": "non-trainable parameters"}


def asked_quantities(statements: list[ast.stmt]) -> list[str]:
    """What the script's own counting code asks: ``sum(p.numel() for p in model.parameters()
    if p.requires_grad)`` trainable, ``model.count_params()`` or ``summary()`` total."""
    found: list[str] = []
    for stmt in statements:
        for node in ast.walk(stmt):
            if isinstance(node, (ast.GeneratorExp, ast.ListComp)):
                text = _short(node, 10_000)
                if "parameters()" in text and "numel" in text:
                    if "not p.requires_grad" in text or "requires_grad == False" in text:
                        found.append("non_trainable")
                    else:
                        found.append("trainable" if "requires_grad" in text else "total")
            elif isinstance(node, ast.Call):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else \
                    node.func.id if isinstance(node.func, ast.Name) else ""
                text = _short(node, 10_000)
                if name == "count_params":
                    found.append("non_trainable" if "non_trainable" in text else
                                 "trainable" if "trainable" in text else "total")
                elif name == "summary":
                    found.append("total")
    return found


def _mask_script_calls(line: str, names: dict) -> str:
    """Prose that calls the script's own names ("if I call make_model(units=128)") keeps the call
    without its arguments: they are code, not a description of more layers."""
    from .code import CALL, _closing_paren

    out, last = [], 0
    for match in CALL.finditer(line):
        root = match.group(1).split(".")[0]
        if root not in names or match.start() < last:
            continue
        close = _closing_paren(line, match.end() - 1)
        if close is None:
            continue
        out.append(line[last:match.start()] + match.group(1) + "()")
        last = close + 1
    return "".join(out) + line[last:]


def read_script(text: str, reading: CodeReading) -> bool:
    """Read ``text`` as a script into ``reading``; False when it builds no model (or is no script)."""
    from .code import CALL, scan_calls
    from .source import comment, parse_source

    source = parse_source(text)
    if not source.statements:
        return False
    interp = Interpreter(reading)
    model = None
    try:
        interp.run(source.statements)
        model = interp.chosen()
        layers, shape = interp.layers(model) if model is not None else ([], None)
    except Abort as exc:
        interp.problem(str(exc))
        layers, shape = [], None
    except RecursionError:
        interp.problem("code nested too deeply")
        layers, shape = [], None
    if model is None and not interp.problems:
        if interp.unknown_models:
            reading.problems.append(f"a model built by {interp.unknown_models[-1]}, whose layers are not "
                                    "written out in the code")
        return False
    reading.problems += [p for p in interp.problems if p not in reading.problems]
    reading.notes += interp.notes
    reading.script = True

    # the text: code lines out, the model's placeholders where the code starts, prose kept
    first = min(source.code) if source.code else 0
    last = max(source.code) if source.code else 0
    kept: list[str] = []
    placeholders = []
    for layer in layers:
        placeholders.append(f"LAYERREF{len(reading.layers)}")
        reading.layers.append(layer)
    asked = sorted(set(asked_quantities(source.statements)))
    head = " " + " ".join(placeholders) + " "
    if len(asked) == 1:
        head += f". The code prints its {QUANTITY_PHRASES[asked[0]]} . "
    prose_lines: list[str] = []
    for i, line in enumerate(source.lines):
        if i == first:
            kept.append(head)
        stripped = line.strip()
        if i in source.code or stripped.startswith("#"):
            note = comment(line)        # comments are the student's words: "# x is (32, 15, 10)"
            if note:
                kept.append(note)
            continue
        if first <= i <= last and not stripped:
            continue
        prose_lines.append(line)
        if source.prompts:
            line = PROMPT_REFERENCE.sub("that cell", line)   # "what is Out[3]?": not a layer index
        kept.append(_mask_script_calls(line, interp.globals))
    reading.text = "\n".join(kept)

    # layer calls in the text outside the code must be the code's own layers
    outside = "\n".join(prose_lines)
    named = any(_resolve(m.group(1)) for m in CALL.finditer(outside))
    if named and not layers and not interp.problems:
        del reading.layers[:]
        reading.script, reading.notes = False, []
        return False                    # the model's lines did not parse: read call by call
    if layers and named:
        other = CodeReading(outside)
        scan_calls(outside, other)
        mine = {(c.spec.kind, c.spec.units) for c in layers}
        if not other.layers or any((c.spec.kind, c.spec.units) not in mine for c in other.layers):
            reading.problems.append("layer calls both in the code and outside it (a line that does not parse, "
                                    "or prose naming other layers)")

    leading = next((c for c in layers if c.spec.kind not in ZERO_KINDS), None)
    if shape is None and layers and layers[0].input_shape is not None:
        shape = layers[0].input_shape
    elif shape is None and leading is not None and leading.framework == "pytorch" and leading.input_shape \
            and leading.spec.kind == "Dense" and all(c.spec.kind in ZERO_KINDS for c in layers[:layers.index(leading)]):
        shape = leading.input_shape     # nn.Flatten() then nn.Linear(784, ...): 784 values reach the Linear
    if shape is None and len({s for s in interp.inputs}) == 1:
        shape = interp.inputs[0]       # keras.Input(shape=...) the layer is applied to
    reading.input_shape = reading.input_shape or shape
    if reading.tensor_shape is None and interp.tensor_inputs:
        reading.tensor_shape = interp.tensor_inputs[-1]
    return True
