"""Values of the script interpreter (``script.py``): what a name in pasted code can stand for.

Literals are plain Python values (int, str, tuple, list, dict); everything else is one of the
classes below. ``Unknown`` is whatever nlqa cannot work out; it never becomes a number.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

from .notation import CodeLayer, _resolve

MAX_LAYERS = 1000       # layer objects one script may build
MAX_STEPS = 200_000     # AST nodes evaluated
MAX_DEPTH = 40          # nested user calls / instantiations
MAX_ITEMS = 10_000      # elements of one literal range, list or string built by the script
MAX_BUILT = 1_000_000   # elements (and characters) of all the lists, tuples and strings a script builds
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
    layout: str = "channels_last"      # a batch tensor's layout: PyTorch's is channels_first (N, C, H, W)


@dataclass(eq=False)
class ClassInfo:
    node: ast.ClassDef
    globals: dict
    parent: "ClassInfo | None" = None
    framework: str | None = None       # pytorch | keras for module classes, else None
    attrs: dict = field(default_factory=dict)
    container: str | None = None       # a subclass of nn.Sequential / keras.Sequential: its namespace

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


def _assigned_names(node: ast.AST) -> set[str]:
    """Names a block binds (assignments, loop targets, ``with ... as``), nested defs left out."""
    names: set[str] = set()
    stack = list(ast.iter_child_nodes(node))
    while stack:
        sub = stack.pop()
        if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        stack.extend(ast.iter_child_nodes(sub))
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
            names.add(sub.id)
    return names


def _effectful(node: ast.AST, env: dict) -> bool:
    """Whether a block may build or change layers (worth running a loop or branch for): a layer
    call, a framework or user class or function, ``add``/``append``-like methods, or setting
    ``trainable``/``requires_grad``/``self.x``. ``raise ValueError(...)`` and nested ``def``s are not."""
    stack = [node]
    while stack:
        sub = stack.pop()
        if sub is not node and isinstance(sub, (ast.Raise, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef,
                                                ast.Lambda)):
            continue
        stack.extend(ast.iter_child_nodes(sub))
        if isinstance(sub, ast.Call):
            func = sub.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            dotted = _short(func)
            root = env.get(dotted.split(".")[0])
            if name in EFFECT_METHODS or (name and _resolve(dotted) is not None):
                return True
            if isinstance(func, ast.Name) and isinstance(root, (Function, ClassInfo)):
                return True
            if name[:1].isupper() and (dotted.split(".")[0] in LAYERISH_ROOTS or isinstance(root, Ref)
                                       and root.dotted.split(".")[0] in LAYERISH_ROOTS):
                return True
        elif isinstance(sub, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = sub.targets if isinstance(sub, ast.Assign) else [sub.target]
            for target in targets:
                for t in ast.walk(target):
                    if isinstance(t, ast.Attribute) and (t.attr in ("trainable", "requires_grad")
                                                         or _short(t.value) == "self"):
                        return True
    return False


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
