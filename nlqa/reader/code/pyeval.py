"""The Python subset a pasted script is read with: statements, expressions, user functions and
classes, over the values of ``pyvalues.py``. Nothing is executed: a name nlqa cannot work out is
``Unknown``, a loop runs only over a literal range or list, and every step counts against a budget.
"""

from __future__ import annotations

import ast
from typing import Any

from .notation import CodeLayer, CodeReading, _Reader, _resolve
from .pyvalues import Abort, Builtin, BUILTINS, ClassInfo, Function, Instance, Layer, MAX_DEPTH, MAX_BUILT, MAX_ITEMS, MAX_LAYERS, MAX_STEPS, Method, MISSING, Model, Params, Ref, Super, Tensor, TooLong, Unknown, _assigned_names, _Break, _Continue, _effectful, _is_literal, _Return, _SelfInfo, _short


class Evaluator:
    """Statements and expressions; framework calls and models come from the other mixins."""

    def __init__(self, reading: CodeReading):
        self.reading = reading
        self.reader = _Reader(reading)
        self.steps = 0
        self.built = 0                 # elements of every list, tuple and string built so far
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
        self.frozen_pretrained: list[str] = []  # Embedding.from_pretrained(w, freeze=True) calls
        self.checkpoints: dict[str, str] = {}   # X.from_pretrained("gpt2") calls (as written) → the checkpoint id
        self.node_value: ast.expr | None = None  # the value of the assignment being made (to spot tied weights)
        self.tensor_inputs: list[tuple] = []
        self.inputs: list[tuple] = []          # shapes of keras.Input(...) calls
        self.self_stack: list = []
        self.forward_owner: Instance | None = None
        self.missing_attrs: list[str] = []
        self.call_branched: list[str] = []
        self.name_bindings: dict[str, list] = {}   # name -> the layer objects bound to it (pynames)
        self.constructed: list[tuple] = []         # (layer, class name) in the order they are made
        self.indexed: dict[str, tuple] = {}        # model name -> position of model[i] / model.layers[i]
        self.stated_shapes: dict[str, tuple] = {}  # array shapes the prose states (script.stated_shapes)
        self.star_imports: list[str] = []  # modules of `from torch.nn import *`, the last one first

    # -- statements -----------------------------------------------------------------------------
    def run(self, statements: list[ast.stmt]) -> None:
        for stmt in statements:
            depth, stack = self.depth, len(self.self_stack)
            try:
                self.stmt(stmt, self.globals)
            except (_Return, _Break, _Continue):
                continue
            except RecursionError:      # an expression nested too deeply for Python itself
                self.depth, self.self_stack[stack:] = depth, []
                if _effectful(stmt, self.globals):
                    self.problem(f"a statement nested too deeply to read (line {stmt.lineno})")

    def block(self, body: list[ast.stmt], env: dict) -> None:
        for stmt in body:
            self.stmt(stmt, env)

    def grow(self, value: Any) -> Any:
        """``value``, counted against the budget of elements a script may build (``MAX_BUILT``):
        many lists each under ``MAX_ITEMS`` must not add up to gigabytes."""
        if isinstance(value, (list, tuple, str, dict)):
            self.built += len(value)
            if self.built > MAX_BUILT:
                raise Abort(f"lists and strings of more than {MAX_BUILT:,} elements in all")
        return value

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
                elif base:
                    self.star_imports.insert(0, base)   # `from torch.nn import *`: bare Linear is nn.Linear
        elif isinstance(node, ast.Assign):
            value = self.expr(node.value, env)
            self.node_value = node.value
            for target in node.targets:
                self.assign(target, value, env)
            self.node_value = None
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
            named = isinstance(node.target, ast.Name)
            current = self.expr(ast.Name(node.target.id, ast.Load()), env) if named else Unknown()
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
            else:
                self.forget(node, env)
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
        else:
            self.forget(node, env)      # hidden = 128 under an unknown condition: hidden is not known

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
            else:
                self.forget(node, env)
            return
        if not _effectful(node, {**self.globals, **env}) and self.forward_uses is None:
            self.forget(node, env)      # a training loop: not run, so what it assigns is not known
            return
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

    def forget(self, node: ast.stmt, env: dict) -> None:
        """The names a block that is not run assigns become unknown (never a stale value)."""
        for name in _assigned_names(node):
            env[name] = Unknown(name)

    def classdef(self, node: ast.ClassDef, env: dict) -> None:
        bases = [self.expr(b, env) for b in node.bases]
        info = ClassInfo(node, self.globals)
        for base in bases:
            if isinstance(base, ClassInfo):
                info.parent = info.parent or base
                info.framework = info.framework or base.framework
            elif isinstance(base, Ref):
                last = base.dotted.split(".")[-1]
                resolved = _resolve(base.dotted)
                if resolved is not None and resolved[2].get("role") == "container":
                    info.framework = "pytorch" if resolved[0] == "torch" else "keras"
                    info.container = resolved[0]
                elif last.endswith("Module"):
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

    def assign(self, target: ast.expr, value: Any, env: dict) -> None:
        if isinstance(target, ast.Name):
            env[target.id] = value
            self.bind_name(target.id, value)
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
            if target.attr == "weight" and isinstance(self.node_value, ast.Attribute) \
                    and self.node_value.attr == "weight":   # out.weight = emb.weight: tied, counted once
                owner, source = self.expr(target.value, env), self.expr(self.node_value.value, env)
                if isinstance(owner, Layer) and isinstance(source, Layer) and owner.layers and source.layers \
                        and owner is not source:
                    first = owner.layers[0]
                    owner.layers[0] = CodeLayer(first.spec.with_(shared_weights=True), first.framework,
                                                first.input_shape, first.source)
                    self.notes.append(f"'{ast.unparse(target)} = {ast.unparse(self.node_value)}' ties the two: "
                                      f"one matrix, counted once (in {source.source})")
                    return
            if target.attr in ("weight", "bias") and isinstance(self.node_value, ast.Attribute) \
                    and self.node_value.attr in ("weight", "bias"):  # out.weight = emb.weight: tied
                self.problem(f"weights tied by '{ast.unparse(target)} = {ast.unparse(self.node_value)}' "
                             "(nlqa does not count a shared matrix once yet; ask for the layers separately)")
                return
            owner = self.expr(target.value, env)
            self.setattr(owner, target.attr, value)
            if not isinstance(owner, Instance):
                self.bind_name(ast.unparse(target), value)   # model.fc = nn.Linear(512, 10)
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
            self.bind_name(f"self.{name}", value)
        elif isinstance(owner, Unknown) and isinstance(value, (Layer, Model, Instance)):
            self.unknown_models.append(owner.what or "an object nlqa cannot read")

    def expr(self, node: ast.expr | None, env: dict) -> Any:
        if node is None:
            return None
        self.tick()
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            return self.lookup(node.id, env)
        if isinstance(node, ast.Attribute):
            owner = self.expr(node.value, env)
            if node.attr == "shape" and isinstance(node.value, ast.Name) and node.value.id in self.stated_shapes \
                    and not (isinstance(owner, Tensor) and owner.batch and owner.shape):
                return self.stated_shapes[node.value.id]   # the shape the prose states for that array
            if node.attr == "shape" and isinstance(owner, Tensor) and owner.batch and owner.shape and not owner.path:
                return tuple(owner.shape)                  # np.zeros((1, 20)).shape
            return self.getattr(owner, node.attr, node)
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
                if isinstance(node.op, ast.USub):
                    return -operand
                return operand if isinstance(node.op, ast.UAdd) else Unknown()
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
            return self.grow("".join(parts))
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
        for base in self.star_imports:   # the module a star import brought the name from
            dotted = f"{base}.{name}"
            if _resolve(dotted) is not None and _resolve(dotted)[1] == name:
                return Ref(dotted)
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
        return self.grow(items)

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
                return self.grow(left + right)
            if isinstance(op, ast.Mult) and isinstance(left, (str, tuple, list)) and isinstance(right, int):
                left, right = right, left
            if isinstance(op, ast.Mult) and isinstance(right, (str, tuple, list)) and isinstance(left, int):
                if left * len(right) > MAX_ITEMS:
                    raise Abort(f"a list of more than {MAX_ITEMS:,} elements")
                return self.grow(right * left if not isinstance(right, list) else [x for _ in range(left) for x in right])
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
            bounds = (lower, upper, step)
            if isinstance(items, (list, tuple, str)) and all(v is None or isinstance(v, int) for v in bounds) \
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
                self.grow((None,))
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
            return self.grow(list(value))
        if isinstance(value, dict):
            return self.grow(list(value.keys()))
        if isinstance(value, Model):
            return list(value.items)
        if isinstance(value, Params):
            return [Params(value.owner)]
        if isinstance(value, Instance) and value.cls is not None and value.cls.container:
            return [v for k, v in value.attrs.items() if k.isdigit()]   # `for block in self` of a Sequential subclass
        if isinstance(value, Tensor):
            return None
        return None

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
            fallback = self.expr(default, globals_) if default is not None else Unknown(arg.arg)
            local[arg.arg] = kwargs.get(arg.arg, fallback)
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

    def builtin(self, name: str, args: list, kwargs: dict, node: ast.Call) -> Any:
        ints = all(isinstance(a, int) and not isinstance(a, bool) for a in args)
        if name == "range" and args and ints and len(args) <= 3:
            try:
                r = range(*args)
            except ValueError:
                return Unknown()
            if len(r) > MAX_LAYERS + 1:
                return TooLong(len(r))
            return self.grow(list(r))
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
            return self.grow([tuple(t) for t in zip(*lists)])
        if name == "enumerate":
            items = self.iterate(args[0]) if args else None
            start = args[1] if len(args) > 1 and isinstance(args[1], int) else kwargs.get("start", 0)
            if items is None or not isinstance(start, int):
                return Unknown()
            return self.grow([(i + start, v) for i, v in enumerate(items)])
        if name in ("int", "float", "abs", "round", "str", "bool") and len(args) == 1 and _is_literal(args[0]):
            try:
                convert = {"int": int, "float": float, "abs": abs, "round": round, "str": str, "bool": bool}
                return convert[name](args[0])
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
            current = owner.current if isinstance(owner, _SelfInfo) else None
            cls = args[0] if args and isinstance(args[0], ClassInfo) else current
            return Super(cls, owner.instance if isinstance(owner, _SelfInfo) else None)
        if name == "isinstance":
            return Unknown()
        return Unknown()

    def frame_self(self) -> Any:
        return self.self_stack[-1] if self.self_stack else None

    def problem(self, text: str) -> None:
        if text not in self.problems:
            self.problems.append(text)
