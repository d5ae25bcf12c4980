"""Framework notation in a question, read with Python's ``ast`` (user text is never executed).

Finds calls such as ``LSTM(64)``, ``nn.Linear(10, 50)`` or a pasted ``keras.Sequential([...])``
in free text, reads their arguments as the API defines them (``grammars/signatures.toml``) and
returns the layers in order, so the prose around the code can still be read. A whole pasted
script (imports, an ``nn.Module`` with ``forward``, the Keras functional API, loops, notebook
prompts) is read statement by statement by ``script.py``; what is not a script, or what does not
parse, gets the call-by-call scan below.
"""

from __future__ import annotations

import ast
import difflib
import re
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from functools import lru_cache
from typing import Any

from ...core.spec import LayerSpec
from ...core.validate import problem
from ...errors import GrammarError
from ...resources import load_toml
from .source import parse_quietly

CALL = re.compile(r"(?<![\w.])((?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*)\s*\(")
ASSIGNED = re.compile(r"(?:^|[\n;])[ \t]*((?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*)[ \t]*=[ \t]*$")  # "fc2 = " before a call
class _Unknown:
    """A value the code gives as a name or an expression nlqa does not evaluate."""

    def __repr__(self) -> str:
        return "?"


UNKNOWN = _Unknown()
SPEC_FIELDS = tuple(f.name for f in dataclass_fields(LayerSpec)
                    if f.name not in ("kind", "name", "implicit", "in_features"))
SPATIAL_DIMS = {"Conv1D": 1, "Conv2D": 2, "Conv3D": 3, "Conv2DTranspose": 2, "MaxPooling2D": 2}
MAX_CODE_CHARS = 20_000
SIZED_CALL_KINDS = {"Dense", "SimpleRNN", "LSTM", "GRU", "Conv1D", "Conv2D", "Conv3D", "Embedding"}  # need a size
MAX_SCRIPT_CHARS = 100_000   # longer texts get the call-by-call scan only
MAX_LAYERS = 1_000           # layer calls read from one question
NO_LAYER_ROLES = {"model", "merge", "merge_fn", "ignore"}  # calls that hold no parameters themselves
KERAS_ONLY_KEYWORDS = {"input_shape", "input_dim", "return_sequences", "use_bias", "reset_after",
                       "merge_mode", "units", "activation"}  # keywords that only Keras calls take


@dataclass
class CodeLayer:
    spec: LayerSpec
    framework: str | None            # "keras", "pytorch" or None when the call does not tell
    input_shape: tuple | None = None  # the network input this call states, if any
    source: str = ""
    batch_first: bool = False         # PyTorch recurrent layers: a data tensor fed to it is (N, T, F)


@dataclass
class CodeReading:
    """What the code in a question says, and the text with each call replaced by placeholders."""

    text: str
    layers: list[CodeLayer] = field(default_factory=list)
    input_shape: tuple | None = None
    frameworks: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)  # layer calls nlqa cannot count yet
    tensor_shape: tuple | None = None   # a data tensor's shape as written, batch axis first
    tensor_layout: str = "channels_first"  # PyTorch's (N, C, ...) or Keras's (N, ..., C)
    unknown_args: list[str] = field(default_factory=list)  # arguments that are names, not literals
    notes: list[str] = field(default_factory=list)  # what reading a script assumed (for assumptions)
    script: bool = False                # the layers come from a whole script (forward order)
    frozen_pretrained: list[str] = field(default_factory=list)  # X.from_pretrained(w, freeze=True): size unseen
    unknown_inputs: list[str] = field(default_factory=list)  # input_shape=input_shape: a name the text never gives
    names: dict[str, tuple[int, ...]] = field(default_factory=dict)  # a script's name -> the layer it names
    indexed: dict[str, tuple] = field(default_factory=dict)  # model name -> the layer model[i] is (None: Input)
    classes: list = field(default_factory=list)  # per layer: (Keras class name, layers of it made before) or None


@lru_cache(maxsize=None)
def signatures() -> dict[str, dict[str, dict[str, Any]]]:
    table = load_toml("signatures.toml")
    for namespace, calls in table.items():
        for name, entry in calls.items():
            if name != "_common" and "kind" not in entry and "role" not in entry:
                raise GrammarError("signatures.toml", 0, f"[{namespace}.{name}] needs kind or role")
    return table


def _resolve(dotted: str) -> tuple[str, str, dict[str, Any]] | None:
    parts = dotted.split(".")
    namespace = "torch" if ("nn" in parts[:-1] or "torch" in parts[:-1]) else "keras"
    name = parts[-1]
    entry = signatures()[namespace].get(name)
    if entry is None and len(parts) == 1 and name in signatures()["torch"] and name[:1].isupper():
        namespace, entry = "torch", signatures()["torch"][name]   # bare Linear, BatchNorm2d: PyTorch's names
    if entry is None and len(name) >= 6 and name[:1].isupper():
        close = difflib.get_close_matches(name, [n for n in signatures()[namespace] if n != "_common"],
                                          n=1, cutoff=0.88)  # "Bidirectonal" -> "Bidirectional"
        if close:
            name, entry = close[0], signatures()[namespace][close[0]]
    if entry is None or name == "_common":
        return None
    if entry.get("role") == "merge_fn" and parts[-2:-1] != ["layers"]:
        return None                 # layers.add([a, b]), not model.add(...) or np.maximum(...)
    return namespace, name, entry


def _closing_paren(text: str, start: int) -> int | None:
    """Index of the ``)`` closing the ``(`` at ``start``, skipping strings; None if unbalanced."""
    depth, quote, i = 0, "", start
    end = min(len(text), start + MAX_CODE_CHARS)
    while i < end:
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return None


def _value(node: ast.AST) -> Any:
    """A literal argument's value; simple integer arithmetic (``64*8*8``) is allowed."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, (ast.Tuple, ast.List)):
        return tuple(_value(e) for e in node.elts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Add, ast.Sub, ast.FloorDiv, ast.Pow)):
        left, right = _value(node.left), _value(node.right)
        if isinstance(left, int) and isinstance(right, int) and not isinstance(left, bool) \
                and not isinstance(right, bool) and abs(left) < 10**40 and abs(right) < 10**40:
            if isinstance(node.op, ast.Pow) and not (0 <= right <= 64 and abs(left) <= 10**6):
                return UNKNOWN      # 10**30 is fine; 10**10**10 is not computed
            ops = {ast.Mult: int.__mul__, ast.Add: int.__add__, ast.Sub: int.__sub__, ast.Pow: int.__pow__,
                   ast.FloorDiv: lambda a, b: a // b if b else UNKNOWN}
            return ops[type(node.op)](left, right)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _value(node.operand)
        return -inner if isinstance(inner, (int, float)) else UNKNOWN
    return UNKNOWN


def batch_shape(values: dict[str, Any], namespace: str, entry: dict[str, Any]) -> tuple | None:
    """The shape of one example from a keyword that includes the batch: ``batch_shape=(None, 4096)``
    -> ``(4096,)``; None when no such keyword is given as a literal."""
    mapping = {**signatures()[namespace].get("_common", {}).get("keywords", {}), **entry.get("keywords", {})}
    for key, value in values.items():
        if mapping.get(key) == "batch_shape" and isinstance(value, (tuple, list)) and len(value) >= 2 \
                and all(d is None or (isinstance(d, int) and not isinstance(d, bool)) for d in value[1:]):
            return tuple(value[1:])
    return None


def _not_keras(node: ast.Call, entry: dict[str, Any]) -> bool:
    """A call Keras's signature cannot take: a number where Keras expects an activation."""
    for param, arg in zip(entry.get("positional", []), node.args):
        value = _value(arg)
        if param == "activation" and isinstance(value, (int, float)) and not isinstance(value, bool):
            return True
    return False


def tensor_shape(node: ast.Call) -> tuple[int, ...] | None:
    """The shape of a data tensor call: torch.randn(16, 3, 64, 64), tf.random.uniform((5, 7, 8)),
    np.zeros(shape=[1, 20]), tf.constant(np.random.random((1, 5, 10))); None when not all literal."""
    resolved = _resolve(_dotted(node.func) or "")
    if resolved is None or resolved[2].get("role") not in ("tensor", "tensor_of"):
        return None
    if resolved[2]["role"] == "tensor_of":
        inner = node.args[0] if node.args else None
        return tensor_shape(inner) if isinstance(inner, ast.Call) else None
    given = next((k.value for k in node.keywords if k.arg in ("shape", "size")), None)
    if given is None and len(node.args) == 1 and isinstance(node.args[0], (ast.Tuple, ast.List)):
        given = node.args[0]
    dims = [_value(a) for a in given.elts] if isinstance(given, (ast.Tuple, ast.List)) else \
        [_value(a) for a in node.args] if given is None else [_value(given)]
    if dims and all(isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in dims):
        return tuple(dims)
    return None


def _dotted(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


class _Reader:
    def __init__(self, reading: CodeReading):
        self.reading = reading

    def call(self, node: ast.Call) -> list[CodeLayer]:
        name = _dotted(node.func)
        resolved = _resolve(name) if name else None
        if resolved is None:
            found = []  # an unknown call (model.add, print): look inside its arguments
            for arg in list(node.args) + [k.value for k in node.keywords]:
                found += self.node(arg)
            return found
        namespace, key, entry = resolved
        if "." not in name and namespace == "keras" and _not_keras(node, entry) and key in signatures()["torch"]:
            namespace, entry = "torch", signatures()["torch"][key]   # bare LSTM(10, 20): PyTorch's (input, hidden)
        if entry.get("role") in ("tensor", "tensor_of"):
            shape = tensor_shape(node)
            if shape is not None and self.reading.tensor_shape is None:
                self.reading.tensor_shape = shape
                self.reading.tensor_layout = "channels_first" if namespace == "torch" else "channels_last"
            return []
        args = self._arguments(node, namespace, entry)
        framework = "pytorch" if namespace == "torch" else None
        if namespace == "keras" and (name != key or key not in ("LSTM", "GRU")
                                     or {k.arg for k in node.keywords} & KERAS_ONLY_KEYWORDS):
            framework = "keras"
        if framework:
            self.reading.frameworks.add(framework)
        shape = self._input_shape(args, namespace, entry)
        role = entry.get("role")
        if role == "unsupported":
            self.reading.unsupported.append(entry.get("group", key))
            return []
        if role in NO_LAYER_ROLES:
            return []
        if role == "parameter":
            data = args.get("data")
            dims = tensor_shape(data) if isinstance(data, ast.Call) else None   # torch.zeros(4, 8)
            if not dims:
                self.reading.unknown_args.append(f"the shape of the tensor in {ast.unparse(node)}")
                return []
            trainable = _value(args["requires_grad"]) is not False if "requires_grad" in args else True
            spec = LayerSpec("Parameter", tensor=dims, trainable=trainable, name=f"parameter {'×'.join(map(str, dims))}")
            return [CodeLayer(spec, "pytorch", None, ast.unparse(node))]
        if role == "input":
            dims = [_value(a) for a in node.args]
            if len(dims) >= 2 and all(isinstance(d, int) and not isinstance(d, bool) for d in dims):
                shape = tuple(dims)  # "Input (64, 64, 3)" written in prose: the shape, not shape + batch size
            if shape is not None:
                self.reading.input_shape = self.reading.input_shape or shape
            return []
        if role == "container":
            layers = args.get("layers", [])
            found = []
            for value_node in layers if isinstance(layers, list) else [layers]:
                found += self.node(value_node)
            return found
        if role == "stack":
            mapping = entry.get("keywords", {})
            layer_arg = next((args[k] for k, v in mapping.items() if v == "layer" and k in args), None)
            inner = self.node(layer_arg) if layer_arg is not None else []
            times = next((_value(args[k]) for k, v in mapping.items() if v == "repeat" and k in args), 1)
            appended = next((self.node(args[k]) for k, v in mapping.items() if v == "append" and k in args), [])
            if not inner or not isinstance(times, int) or isinstance(times, bool) or not 0 < times <= 1000:
                self.reading.unknown_args.append(f"the layer and the number of layers of {name}(...)")
                return []
            first = inner[0]
            return [CodeLayer(first.spec.with_(repeat=first.spec.repeat * times), first.framework,
                              first.input_shape, first.source)] + inner[1:] + appended
        if role == "transformer":
            values = {**entry.get("defaults", {}), **{k: _value(v) for k, v in args.items()}}
            bad = [(k, problem("repeat", values.get(k))) for k in entry.get("defaults", {})]
            bad = [(k, why) for k, why in bad if why is not None]
            if bad:
                self.reading.unknown_args.append(f"a valid {bad[0][0]} in {ast.unparse(node)} "
                                                 f"(nlqa expected {bad[0][1]})")
                return []
            d, heads, ff = values["d_model"], values["nhead"], values["dim_feedforward"]
            block = dict(units=d, heads=heads, ff=ff)
            specs = [LayerSpec("TransformerEncoderLayer", repeat=values["num_encoder_layers"], name="encoder", **block),
                     LayerSpec("LayerNormalization", name="encoder LayerNorm"),
                     LayerSpec("TransformerDecoderLayer", repeat=values["num_decoder_layers"], name="decoder", **block),
                     LayerSpec("LayerNormalization", name="decoder LayerNorm")]
            self.reading.frameworks.add("pytorch")
            return [CodeLayer(spec, "pytorch", (None, d) if i == 0 else None, name) for i, spec in enumerate(specs)]
        if role == "wrapper":
            inner = self.node(args["layer"]) if "layer" in args else []
            changes = dict(entry.get("sets", {}))
            if "merge_mode" in args:
                mode = _value(args["merge_mode"])
                if isinstance(mode, str):
                    changes["merge_mode"] = mode
            wrapped = [CodeLayer(c.spec.with_(**changes), c.framework or framework,
                                 c.input_shape or shape, c.source) for c in inner[:1]]
            return wrapped + inner[1:]
        return self._layer(entry, args, framework, shape, ast.unparse(node))

    def node(self, node: ast.AST) -> list[CodeLayer]:
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, (ast.List, ast.Tuple)):
            found = []
            for element in node.elts:
                found += self.node(element)
            return found
        return []

    def _arguments(self, node: ast.Call, namespace: str, entry: dict[str, Any]) -> dict[str, Any]:
        """API keyword → AST node; positional arguments named by the signature table."""
        args: dict[str, Any] = {}
        positional = entry.get("positional", [])
        if positional[:1] == ["*layers"]:
            args["layers"] = list(node.args)
        else:
            for param, arg in zip(positional, node.args):
                args[param] = arg
        for keyword in node.keywords:
            if keyword.arg:
                args[keyword.arg] = keyword.value
        return args

    def _fields(self, entry: dict[str, Any], args: dict[str, Any], namespace: str) -> dict[str, Any]:
        mapping = dict(signatures()[namespace].get("_common", {}).get("keywords", {}))
        mapping.update(entry.get("keywords", {}))
        values = {}
        for param, node in args.items():
            target = mapping.get(param)
            value = _value(node) if isinstance(node, ast.AST) else node
            if target == "kernel_side":   # Keras 1: Convolution2D(32, 5, 5), one argument per side
                sides = values.get("kernel", ())
                values["kernel"] = UNKNOWN if UNKNOWN in (sides, value) else sides + (
                    value if isinstance(value, tuple) else (value,))
            elif target and target not in ("ignore", "layer", "layers"):
                values[target] = value
        return values

    def _target(self, param: str, namespace: str, entry: dict[str, Any]) -> str | None:
        mapping = {**signatures()[namespace].get("_common", {}).get("keywords", {}), **entry.get("keywords", {})}
        return mapping.get(param)

    def _input_shape(self, args: dict[str, Any], namespace: str, entry: dict[str, Any]) -> tuple | None:
        for key in ("input_shape", "shape"):
            if key in args:
                value = _value(args[key])
                if isinstance(value, tuple):
                    return value
                if isinstance(value, int):
                    return (value,)
                if isinstance(args[key], (ast.Name, ast.Attribute, ast.Subscript)):
                    self.reading.unknown_inputs.append(f"{key}={ast.unparse(args[key])}")  # a name never given
        mapping = {**signatures()[namespace].get("_common", {}).get("keywords", {}), **entry.get("keywords", {})}
        batched = batch_shape({k: _value(v) for k, v in args.items() if mapping.get(k) == "batch_shape"},
                              namespace, entry)
        if batched is not None:
            return batched
        if "input_dim" in args and mapping.get("input_dim") == "input_features":
            value = _value(args["input_dim"])
            if isinstance(value, int):
                return (value,)
        return None

    def _unknown(self, field: str, args, namespace: str, entry, source: str) -> str:
        """What to ask for an argument the code gives as a name: 'the value of n_classes
        (out_features in nn.Linear(64, n_classes))'."""
        param = next((p for p in args if self._target(p, namespace, entry) == field), field)
        node = args.get(param)
        variable = isinstance(node, (ast.Name, ast.Attribute, ast.Subscript))   # a name, not an expression
        written = ast.unparse(node) if variable else ""
        if written and written != param and written != "_":
            return f"the value of {written} ({param} in {source})"
        return f"the value of {param} in {source}"

    def _invalid(self, field: str, why: str, args, namespace: str, entry, source: str) -> None:
        """An argument that does not fit its field: asked again, naming the argument as the API does."""
        name = next((p for p in args if self._target(p, namespace, entry) == field), field)
        self.reading.unknown_args.append(f"a valid {name} in {source} (nlqa expected {why})")

    def _layer(self, entry, args, framework, shape, source) -> list[CodeLayer]:
        namespace = "torch" if framework == "pytorch" else "keras"
        values = self._fields(entry, args, namespace)
        spec: dict[str, Any] = {"kind": entry["kind"], **entry.get("defaults", {})}
        if values.get("affine") is False:
            spec["center"] = spec["scale"] = False
        for name in SPEC_FIELDS:
            if name in values:
                value = values[name]
                if value is UNKNOWN:
                    self.reading.unknown_args.append(self._unknown(name, args, namespace, entry, source))
                    continue
                why = problem(name, value)
                if why is not None:
                    self._invalid(name, why, args, namespace, entry, source)
                    continue
                spec[name] = value
        for declared in ("input_features", "input_channels", "input_length"):
            if declared not in values or values[declared] is UNKNOWN:
                if values.get(declared) is UNKNOWN:
                    self.reading.unknown_args.append(self._unknown(declared, args, namespace, entry, source))
                continue
            why = problem("in_features", values[declared])
            if why is not None:
                self._invalid(declared, why, args, namespace, entry, source)
                values.pop(declared)
            elif declared != "input_length":
                spec["in_features"] = values[declared]
        features = values.get("input_features")
        if isinstance(features, int) and not isinstance(features, bool) and shape is None:
            shape = (features,) if framework != "pytorch" or entry["kind"] == "Dense" else (None, features)
        channels = values.get("input_channels")
        if isinstance(channels, int) and not isinstance(channels, bool) and shape is None:
            dims = SPATIAL_DIMS.get(entry["kind"], 0)
            shape = (None,) * dims + (channels,)
        length = values.get("input_length")
        if isinstance(length, int) and not isinstance(length, bool) and shape is None:
            shape = (length,)  # Keras Embedding(..., input_length=20)
        copies = values.get("num_layers", 1)
        if copies is not UNKNOWN and problem("repeat", copies) is not None:
            self._invalid("num_layers", problem("repeat", copies), args, namespace, entry, source)
        copies = copies if isinstance(copies, int) and 0 < copies <= 1000 else 1
        layer = LayerSpec(**spec)
        stacked = layer.with_(in_features=None)  # layer k+1 of num_layers=k reads layer k's output
        return [CodeLayer(layer if i == 0 else stacked, framework, shape if i == 0 else None, source,
                          values.get("batch_first") is True) for i in range(copies)]


def read_code(text: str) -> CodeReading:
    """Find framework calls in ``text``; replace each with ``LAYERREF<n>`` placeholders.

    A pasted script is read as a whole (``script.read_script``): its span becomes the
    placeholders of the model's layers in forward order. Otherwise, or when the script builds no
    model, each call is read where it stands (``scan_calls``).
    """
    reading = CodeReading(text)
    if len(text) <= MAX_SCRIPT_CHARS and _may_be_script(text):
        from .script import read_script
        try:
            if read_script(text, reading):
                return reading
        except (RecursionError, MemoryError):
            pass
        problems = [p for p in reading.problems]
        reading = CodeReading(text, problems=problems)
    scan_calls(text, reading)
    return reading


def _may_be_script(text: str) -> bool:
    stripped = text.strip()
    return "\n" in stripped or "=" in stripped or stripped.startswith((">>>", "In [", "import ", "from "))


def scan_calls(text: str, reading: CodeReading) -> None:
    """The call-by-call scan: every framework call in ``text`` read where it stands."""
    pieces, last, pos = [], 0, 0
    seen: dict[str, list[str]] = {}     # a call's text -> the placeholders of the layers it was read as
    while True:
        match = CALL.search(text, pos)
        if match is None:
            break
        name = match.group(1)
        open_at = match.end() - 1
        if _resolve(name) is None and not name.endswith(".add"):
            parts = name.split(".")
            if len(parts) > 1 and any(_resolve(".".join(parts[:k])) for k in range(1, len(parts))):
                close = _closing_paren(text, open_at)
                args = text[open_at:close or len(text)]
                if parts[-1] == "from_pretrained" and not re.search(r"freeze\s*=\s*(?!True\b)", args):
                    reading.frozen_pretrained.append(f"{name}(...)")  # frozen (the default): no trainable part
                    pieces.append(text[last:match.start()])  # the call stands for no countable layer
                    last = pos = (close + 1) if close is not None else match.end()
                    continue
                reading.problems.append(f"{name}(...)")  # nn.Embedding.from_pretrained: not a plain layer call
            pos = match.end()
            continue
        close = _closing_paren(text, open_at)
        if close is None:
            pos = match.end()
            continue
        try:
            tree = parse_quietly(text[match.start():close + 1].replace("\n", " "), mode="eval")
            found = _Reader(reading).node(tree.body)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            pos = match.end()
            continue
        if len(reading.layers) + len(found) > MAX_LAYERS:
            reading.problems.append(f"more than {MAX_LAYERS:,} layers (nlqa reads at most {MAX_LAYERS:,})")
            pieces.append(text[last:match.start()])
            reading.text = "".join(pieces)    # the rest is not read: the question is declined
            return
        source = text[match.start():close + 1]
        line_before = text[text.rfind("\n", 0, match.start()) + 1:match.start()]
        if found and isinstance(tree.body, ast.Call) and not tree.body.args and not tree.body.keywords \
                and all(c.spec.units is None and c.spec.kind in SIZED_CALL_KINDS for c in found):
            # "Dense() layers have a weight matrix and a bias vector": a class named in prose, not a layer
            pieces.append(text[last:match.start()])
            pieces.append(" " + name.split(".")[-1] + " ")
            last = pos = close + 1
            continue
        if found and source in seen and _resolve(name) is not None \
                and not re.search(r"[=,(\[]|\badd\b|\bappend\b", line_before):
            # "bn = torch.nn.BatchNorm2d(10) ... the parameters of torch.nn.BatchNorm2d(10) are": the same
            # call named again in a sentence is the layer already read, not one more
            pieces.append(text[last:match.start()])
            pieces.append(" " + name.split(".")[-1] + " ")   # the class named: prose that echoes the code
            last = pos = close + 1
            continue
        placeholders = []
        bound = ASSIGNED.search(text, max(0, match.start() - 200), match.start())
        if bound and len(found) == 1:       # "self.fc2 = nn.Linear(16, 3)": the layer's name
            name = bound.group(1)
            reading.names[name] = () if name in reading.names else (len(reading.layers),)
        for layer in found:
            placeholders.append(f"LAYERREF{len(reading.layers)}")
            reading.layers.append(layer)
            if layer.input_shape is not None and reading.input_shape is None and len(reading.layers) == 1:
                reading.input_shape = layer.input_shape
        if found and "=" in line_before:   # a call bound to a name ("bn = nn.BatchNorm2d(10)") may be named again
            seen.setdefault(source, placeholders)
        pieces.append(text[last:match.start()])
        pieces.append(" " + " ".join(placeholders) + " ")
        last = pos = close + 1
    pieces.append(text[last:])
    reading.text = "".join(pieces)
    reading.classes = _classes_by_source(reading.layers)


def _classes_by_source(layers: list[CodeLayer]) -> list:
    """Keras's counters for calls read where they stand: each call's class, and how many of it
    were made before (a wrapped call inside ``Bidirectional(LSTM(64))`` is made too)."""
    if not layers:
        return []   # prose: no calls (and the script reader's names stay unimported)
    from .pynames import snake_case

    made: dict[str, int] = {}
    out: list = []
    for layer in layers:
        calls = [m.group(1).split(".")[-1] for m in CALL.finditer(layer.source)]
        calls = [c for c in calls if _resolve(c) is not None and _resolve(c)[0] == "keras"]
        if not calls or layer.framework == "pytorch":
            out.append(None)
            continue
        own = snake_case(calls[0])
        out.append((own, made.get(own, 0)))
        for name in calls:
            made[snake_case(name)] = made.get(snake_case(name), 0) + 1
    return out
