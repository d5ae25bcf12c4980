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

from .notation import CodeReading, _resolve, tensor_shape
from .pyeval import Evaluator
from .pyframework import FrameworkCalls
from .pymodel import ModelReader
from .pynames import LayerNames
from .pyvalues import ZERO_KINDS, Abort, _short

CODE_SUBJECT = "The code"  # the sentence written for a script that prints a count starts so


class Interpreter(Evaluator, FrameworkCalls, ModelReader, LayerNames):
    """The script interpreter: the Python subset, framework calls, and the model they build."""


# -- reading a script -----------------------------------------------------------------------------

PROSE = re.compile(r"^(?=.*[A-Za-z]{2,}\s+[A-Za-z]{2,})[^()\[\]{}=<>]*$|.*\?$")   # words, no code
PROMPT_REFERENCE = re.compile(r"\b(?:Out|In)\s?\[\s*\d*\s*\]")
QUANTITY_PHRASES = {"total": "parameters", "trainable": "trainable parameters",
                    "non_trainable": "non-trainable parameters", "output_shape": "output shape"}


def asked_quantities(statements: list[ast.stmt]) -> list[str]:
    """What the script's own counting code asks: ``sum(p.numel() for p in model.parameters()
    if p.requires_grad)`` trainable, ``model.count_params()`` or ``summary()`` total."""
    found: list[str] = []
    data = {t.id for stmt in statements if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call)
            and tensor_shape(stmt.value) is not None for t in stmt.targets if isinstance(t, ast.Name)}
    for stmt in statements:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
                # print(out.shape), print(y.size()): the shape of what the layers give (not of the data made)
                shapes = [n.value for n in ast.walk(node) if isinstance(n, ast.Attribute) and n.attr == "shape"] + [
                    n.func.value for n in ast.walk(node) if isinstance(n, ast.Call)
                    and isinstance(n.func, ast.Attribute) and n.func.attr == "size" and not n.args]
                if any(not (isinstance(v, ast.Name) and v.id in data) for v in shapes):
                    found.append("output_shape")
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
                if name not in ("count_params", "summary"):
                    continue
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
    from .notation import CALL, _closing_paren

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


def stated_shapes(text: str) -> dict[str, tuple[int, ...]]:
    """Array shapes the text states in words or comments (grammars/stated_shapes.toml)."""
    found: dict[str, tuple[int, ...]] = {}
    for pattern in _shape_patterns():
        for m in pattern.finditer(text):
            dims = tuple(int(d) for d in m.group("dims").replace(" ", "").split(",") if d)
            if dims and all(0 < d < 10**12 for d in dims):
                found.setdefault(m.group("name"), dims)
    return found


def _shape_patterns() -> list:
    global _PATTERNS
    if _PATTERNS is None:
        from ...resources import load_toml
        _PATTERNS = [re.compile(p, re.IGNORECASE) for p in load_toml("stated_shapes.toml")["patterns"]]
    return _PATTERNS


_PATTERNS: list | None = None


def _named_checkpoint(checkpoint: str | None) -> bool:
    """Whether a from_pretrained() checkpoint id ("gpt2", "bert-base-uncased") is a model of nlqa's
    registry: then the queried object is that named model, counted as the name says."""
    if not checkpoint:
        return False
    from ..prose.modelnames import read_names
    names = read_names(checkpoint.rsplit("/", 1)[-1])
    return len(names.named) == 1 and not names.unknown


def read_script(text: str, reading: CodeReading) -> bool:
    """Read ``text`` as a script into ``reading``; False when it builds no model (or is no script)."""
    from .notation import CALL, scan_calls
    from .source import comment, parse_source

    source = parse_source(text)
    if not source.statements:
        return False
    interp = Interpreter(reading)
    interp.stated_shapes = stated_shapes(text)   # "X_train has shape (60000, 28, 28)"
    model = None
    try:
        interp.run(source.statements)
        model = interp.chosen()
        layers, shape, owners = interp.layers(model) if model is not None else ([], None, [])
    except Abort as exc:
        interp.problem(str(exc))
        layers, shape, owners = [], None, []
    except RecursionError:
        interp.problem("code nested too deeply")
        layers, shape, owners = [], None, []
    if model is None and not interp.problems:
        if interp.unknown_models and all(_named_checkpoint(interp.checkpoints.get(w)) for w in interp.unknown_models):
            return False   # from_pretrained("gpt2"): the model nlqa knows by that name, read from the text
        if interp.unknown_models:
            reading.problems.append(f"a model built by {interp.unknown_models[-1]}, whose layers are not "
                                    "written out in the code")
        return False
    reading.problems += [p for p in interp.problems if p not in reading.problems]
    reading.frozen_pretrained += interp.frozen_pretrained
    reading.notes += interp.notes
    reading.script = True

    # the text: code lines out, the model's placeholders where the code starts, prose kept
    first = min(source.code) if source.code else 0
    last = max(source.code) if source.code else 0
    kept: list[str] = []
    placeholders = []
    reading.names, reading.classes = interp.names_of(owners)   # positions: layers[i] is reading.layers[i]
    reading.indexed = interp.indexed
    for layer in layers:
        placeholders.append(f"LAYERREF{len(reading.layers)}")
        reading.layers.append(layer)
    asked = sorted(set(asked_quantities(source.statements)))
    head = " " + " ".join(placeholders) + " "
    if len(asked) == 1:
        head += f". {CODE_SUBJECT} prints its {QUANTITY_PHRASES[asked[0]]} . "
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
        if i in source.output and not PROSE.match(stripped):
            continue                    # what a notebook printed (a repr, a number) is not the question
        if i not in source.output:
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
        reading.names, reading.classes, reading.indexed = {}, [], {}
        reading.script, reading.notes = False, []
        return False                    # the model's lines did not parse: read call by call
    if layers and named:
        other = CodeReading(outside)
        scan_calls(outside, other)
        mine = {(c.spec.kind, c.spec.units) for c in layers}
        kinds = {c.spec.kind for c in layers}   # "Embedding(trainable=False)" in a title: the code's Embedding
        if not other.layers or any((c.spec.kind, c.spec.units) not in mine
                                   and not (c.spec.units is None and c.spec.kind in kinds) for c in other.layers):
            reading.problems.append("layer calls both in the code and outside it (a line that does not parse, "
                                    "or prose naming other layers)")

    leading = next((c for c in layers if c.spec.kind not in ZERO_KINDS), None)
    if shape is None and layers and layers[0].input_shape is not None:
        shape = layers[0].input_shape
    elif shape is None and leading is not None and leading.framework == "pytorch" and leading.input_shape \
            and leading.spec.kind == "Dense" \
            and all(c.spec.kind in ZERO_KINDS for c in layers[:layers.index(leading)]):
        shape = leading.input_shape     # nn.Flatten() then nn.Linear(784, ...): 784 values reach the Linear
    if shape is None and len({s for s in interp.inputs}) == 1:
        shape = interp.inputs[0]       # keras.Input(shape=...) the layer is applied to
    reading.input_shape = reading.input_shape or shape
    if reading.tensor_shape is None and interp.tensor_inputs:
        reading.tensor_shape = interp.tensor_inputs[-1]
    return True
