"""Mentions → a NetworkSpec, the quantity asked, and what the question leaves open."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..core.conventions import convention
from ..core.spec import LayerSpec, NetworkSpec
from ..resources import load_toml
from .code import CodeReading, read_code
from .attributes import CONV_KINDS, POOL_KINDS, assign_attributes
from .groups import Group, PhraseFinder, Phrases
from .mentions import Mention, Reading, read, vocab
from .transformers import BLOCK_KINDS
from .transformers import build as build_transformer
from .normalize import normalize

KIND_NAMES = {"Dense": "dense", "SimpleRNN": "recurrent (SimpleRNN)", "LSTM": "LSTM", "GRU": "GRU",
              "Flatten": "Flatten", "Dropout": "Dropout", "Activation": "activation",
              "Conv": "convolutional", "Conv1D": "1D convolutional", "Conv2D": "convolutional",
              "Conv3D": "3D convolutional", "DepthwiseConv2D": "depthwise convolutional",
              "SeparableConv2D": "separable convolutional", "Conv2DTranspose": "transposed convolutional",
              "MaxPool": "max pooling", "AvgPool": "average pooling", "GlobalAvgPool": "global average pooling",
              "GlobalMaxPool": "global max pooling", "BatchNormalization": "batch normalization",
              "LayerNormalization": "layer normalization", "Embedding": "embedding"}
UNSUPPORTED_NAMES = {"?Attention": "stacked transformer (nn.TransformerEncoder / nn.Transformer)"}
STRUCTURAL_KINDS = CONV_KINDS | POOL_KINDS | {"GlobalAvgPool", "GlobalMaxPool", "BatchNormalization",
                                             "LayerNormalization", "Embedding", "Flatten", "Dropout",
                                             "Activation"}
GENERIC_KINDS = {"Conv": "Conv{d}D", "MaxPool": "MaxPooling{d}D", "AvgPool": "AveragePooling{d}D",
                 "GlobalAvgPool": "GlobalAveragePooling{d}D", "GlobalMaxPool": "GlobalMaxPooling{d}D"}
SPATIAL_KINDS = {"Conv1D", "Conv2D", "Conv3D", "DepthwiseConv2D", "SeparableConv2D", "Conv2DTranspose",
                 "MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D", "AveragePooling2D",
                 "AveragePooling3D"}
PARAMETER_FREE = {"MaxPool", "AvgPool", "GlobalAvgPool", "GlobalMaxPool", "Flatten", "Dropout", "Activation",
                  "MaxPooling2D", "AveragePooling2D"}
SIZED_KINDS = {"Dense", "SimpleRNN", "LSTM", "GRU", "Embedding"}
SHAPE_ONLY_KINDS = {"Flatten", "Dropout", "Activation", "MaxPool", "AvgPool", "GlobalAvgPool", "GlobalMaxPool"}
ORDINAL_WORDS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth"}


@dataclass
class Alternative:
    reading: str
    spec: NetworkSpec | None = None
    quantity: str | None = None
    layers_removed: tuple[str, ...] = ()   # layer kinds the reading leaves out ("Pooler")
    minus_terms: tuple[str, ...] = ()      # term labels the reading subtracts ("token embeddings")


@dataclass
class Extraction:
    """What the reader understood of a question."""

    question: str
    spec: NetworkSpec | None = None
    quantity: str | None = None
    layer: int | None = None
    status: str = "answered"                 # answered | needs_clarification | unsupported
    missing: list[str] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    alternatives: list[Alternative] = field(default_factory=list)
    reason: str = ""                         # for unsupported
    understood: list[str] = field(default_factory=list)
    framework_source: str = "default"        # default | text | code | option
    mentions: list[tuple[str, str, str]] = field(default_factory=list)  # for --explain
    memory: dict[str, Any] = field(default_factory=dict)  # dtype, unit, optimizer, precision
    param_count: int | None = None           # a model given only by its size ("a 7B model")

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status, "quantity": self.quantity, "layer": self.layer,
            "spec": self.spec.to_dict() if self.spec else None, "missing": self.missing,
            "assumptions": self.assumptions, "understood": self.understood,
            "framework_source": self.framework_source,
            "alternatives": [{"reading": a.reading, "spec": a.spec.to_dict() if a.spec else None,
                              "quantity": a.quantity} for a in self.alternatives],
            "mentions": [{"label": l, "id": i, "text": t} for l, i, t in self.mentions],
        }


def _kind_matches(named: str, kind: str) -> bool:
    """Whether a layer kind the question names ("conv", "max pooling") fits a counted kind."""
    if named == kind:
        return True
    if named in GENERIC_KINDS:
        return kind.startswith(GENERIC_KINDS[named].split("{")[0])
    return named == "Conv" and kind in CONV_KINDS or named in ("Dense",) and kind == "Dense"


def _family(kind: str | None) -> str:
    """Layer kinds that one word may name: "conv" is any convolution, "RNN" any recurrent layer."""
    if kind in CONV_KINDS or (kind or "").startswith("Conv"):
        return "conv"
    if kind in ("SimpleRNN", "LSTM", "GRU"):
        return "recurrent"
    return kind or ""


def _ordinal(n: int) -> str:
    return ORDINAL_WORDS.get(n, f"#{n}")


class Extractor:
    arch_mode = False
    embedding_dim: int | None = None
    output_kind: str | None = None
    binary_alternative = False

    def __init__(self, question: str, framework: str | None = None):
        self.question = question
        self.override = framework
        self.code: CodeReading = read_code(question)
        self.text = normalize(self.code.text)
        self.reading: Reading = read(self.text)
        self.x = Extraction(question)
        self.x.mentions = [(m.label, m.id, m.text) for m in self.reading.mentions]

    # -- helpers ------------------------------------------------------------------------
    def mentions(self, *labels: str) -> list[Mention]:
        return [m for m in self.reading.mentions if m.label in labels]

    def sentence(self, m: Mention) -> int:
        return self.reading.sentence_of[m.start]

    # -- the question asked ---------------------------------------------------------------
    def asked_sentence(self) -> int | None:
        doc, qwords = self.reading.doc, vocab()["question_words"]
        quantity_sentences = {self.sentence(m) for m in self.mentions("QUANTITY")}
        candidates = [self.reading.sentence_of[t.i] for t in doc if t.lower_ in qwords]
        preferred = [s for s in candidates if s in quantity_sentences]
        if preferred:
            return preferred[-1]
        if candidates:
            return candidates[-1]
        return max(quantity_sentences) if quantity_sentences else None

    def quantity(self, asked: int | None) -> tuple[str | None, Mention | None]:
        quantities = self.mentions("QUANTITY") or [
            Mention("QUANTITY", "total_parameters", m.start, m.end, None, m.text) for m in self.mentions("PARAMCOUNT")]
        in_asked = [m for m in quantities if self.sentence(m) == asked]
        doc = self.reading.doc
        if len(in_asked) > 1 and in_asked[0].start >= 2 and doc[in_asked[0].start - 2].lower_ == "of":
            in_asked = in_asked[1:]  # "how many of the parameters ... are biases?"
        chosen = (in_asked or quantities[-1:] or [None])[0]
        if chosen is None:
            return None, None
        mods = {m.id for m in self.mentions("QMOD") if self.sentence(m) == self.sentence(chosen)}
        near = {m.id for m in self.mentions("QMOD") if chosen.start - 4 <= m.start < chosen.start}
        qty = chosen.id
        if qty == "total_parameters" or qty == "weights":
            if "non_trainable" in near or ("non_trainable" in mods and "trainable" not in near):
                return "non_trainable_parameters", chosen
            if qty == "weights" and "weights_only" in mods | {m.id for m in self.mentions("QMOD")}:
                return "weights", chosen
            if qty == "weights":
                self.loose_weights = True
                return ("trainable_parameters" if "trainable" in near else "total_parameters"), chosen
            if "trainable" in near:
                return "trainable_parameters", chosen
        return qty, chosen

    def reference(self, asked: int | None, after: Mention | None) -> tuple[dict | None, set[int]]:
        """A layer the question asks about: "the second hidden layer", "layer 3", "the dense layer"."""
        if asked is None or after is None:
            return None, set()
        doc, v = self.reading.doc, vocab()
        for m in self.mentions("LAYERNUM"):
            following = doc[m.end].lower_ if m.end < len(doc) else ""
            if following in v["unit_nouns"] or following in ("neuron", "unit", "node"):
                continue  # "hidden layer 3 neurons" gives a size, not a layer number
            if self.sentence(m) == asked and isinstance(m.value, int):
                index = m.value + 1 if m.id == "index0" else m.value
                return {"index": index}, set(range(m.start, m.end))
        n = len(doc)
        for i in range(after.end if after else 0, n):
            if self.reading.sentence_of[i] != asked:
                continue
            if doc[i].lower_ not in v["reference_determiners"]:
                continue
            ref: dict[str, Any] = {}
            j = i + 1
            while j < n:
                m = self.reading.covered.get(j)
                low = doc[j].lower_
                if m is None and low in v["ordinals"]:
                    ref["ordinal"] = v["ordinals"][low]
                elif m is not None and m.label == "KIND":
                    ref["kind"] = m.id
                    j = m.end
                    continue
                elif m is not None and m.label == "ROLE":
                    ref["role"] = m.id
                elif m is None and low in v["modifiers"]:
                    pass
                else:
                    break
                j += 1
            if j < n and doc[j].lower_ == "layer" and self.reading.covered.get(j) is None:
                return ref, set(range(i, j + 1))
        return None, set()

    # -- the network --------------------------------------------------------------------
    def run(self) -> Extraction:
        x = self.x
        self.loose_weights = False
        unsupported = sorted({m.id for m in self.mentions("KIND") if m.id.startswith("?")}
                             | set(self.code.unsupported))
        asked = self.asked_sentence()
        quantity, qmention = self.quantity(asked)
        ref, ref_tokens = self.reference(asked, qmention)
        phrases = PhraseFinder(self.reading, self.code.layers, ref_tokens, asked).find()
        has_network = bool(phrases.groups or phrases.architectures or self.code.layers
                           or phrases.network_kind or self.mentions("INPUT", "UNITS"))
        if self.code.problems:
            x.status = "unsupported"
            x.quantity = quantity
            x.reason = ("nlqa reads framework layer calls with literal arguments, but not "
                        + ", ".join(self.code.problems[:3]) + "; write the layer out, e.g. "
                        "'nn.Embedding(30000, 300)'.")
            return x
        if self.code.unknown_args:
            x.status = "needs_clarification"
            x.quantity = quantity
            x.missing.extend(self.code.unknown_args[:3])
            return x
        if self.mentions("REPEAT"):
            x.status = "needs_clarification"
            x.quantity = quantity
            x.missing.append("each layer listed one by one (nlqa does not expand repeated blocks yet), "
                             "e.g. 'conv 3x3 with 16 filters -> max pool 2x2 -> conv 3x3 with 32 filters ...'")
            return x
        memory = self.memory_request(x, quantity)
        if memory:
            quantity = memory
            counts = [m.value for m in self.mentions("PARAMCOUNT") if isinstance(m.value, int) and m.value >= 1000]
            if counts and not (phrases.groups or self.code.layers or self.mentions("MODEL")):
                x.quantity, x.param_count = quantity, counts[0]
                return x
        blocks = [m.id for m in self.mentions("KIND") if m.id in BLOCK_KINDS]
        if blocks and not self.mentions("MODEL") and "MultiHeadAttention" not in blocks and not any(
                m.id == "heads" for m in self.mentions("TF")) and not any(
                "transformer" in m.text.lower() for m in self.mentions("KIND")):
            blocks = []  # "encoder layers of 128 and 32 units" in an autoencoder: not a transformer
        if (self.mentions("MODEL") or blocks) and not self.code.layers:
            x.quantity = quantity or "total_parameters"
            self.framework(x)
            excludes = self.mentions("EXCLUDE")
            excluded = {m.id for m in excludes if m.id != "final_norm_and"}
            if any(m.id == "final_norm_and" and any(0 <= m.start - e.end <= 1 for e in excludes if e is not m)
                   for m in excludes):
                excluded.add("final_norm")  # "excluding the embeddings and the final LayerNorm"
            if "embeddings" in excluded and x.quantity == "total_parameters":
                x.quantity = "non_embedding_parameters"  # "excluding (the token and position) embeddings"
            excluded.discard("embeddings")
            nobias = bool(self.mentions("NOBIAS")) and not self.mentions("MODEL")  # a model's "no bias" is its head's
            spec, assumptions, missing = build_transformer(self.reading.mentions, blocks, excluded,
                                                           not nobias, self.fw, self.reading.doc)
            x.assumptions += assumptions
            if missing or spec is None:
                x.status, x.missing = "needs_clarification", missing or ["the model's configuration"]
                return x
            x.spec = spec
            x.understood = [layer.name for layer in spec.layers]
            if any(layer.kind == "Pooler" for layer in spec.layers):
                x.alternatives.append(Alternative("without the pooler", spec.with_(
                    layers=[layer for layer in spec.layers if layer.kind != "Pooler"])))
            if x.quantity == "non_embedding_parameters":
                x.alternatives.append(Alternative("minus the token embeddings only", spec, "total_parameters",
                                                  minus_terms=("token embeddings",)))
            return x
        if unsupported:
            names = ", ".join(UNSUPPORTED_NAMES[u] for u in unsupported)
            x.status = "unsupported"
            x.quantity = quantity
            x.reason = (f"the question involves {names} layers or quantities, which this version of "
                        "nlqa does not count yet; it counts dense, recurrent, convolutional, pooling, "
                        "normalization and embedding layers.")
            return x
        if quantity is not None and not has_network:
            x.status = "needs_clarification"
            x.quantity = quantity
            x.missing.append("a description of the network: its input size and its layers")
            return x
        if not has_network or quantity is None:
            x.status = "unsupported"
            x.reason = ("this does not look like a question about a neural network's size: nlqa answers "
                        "questions such as 'how many trainable parameters does this network have?'.")
            return x
        x.quantity = quantity
        self.framework(x)
        layers, input_shape, input_kind = self.assemble(phrases, x)
        if x.missing:
            x.status = "needs_clarification"
            return x
        spec = self.build_spec(layers, input_shape, input_kind, x)
        if spec is None:
            x.status = "needs_clarification"
            return x
        x.spec = spec
        if ref is not None:
            index = self.resolve_reference(ref, spec)
            if index is None:
                x.missing.append("which layer is meant (nlqa could not match the layer the question names)")
                x.status = "needs_clarification"
                return x
            if x.quantity in ("total_parameters", "trainable_parameters") and len(
                    [l for l in spec.layers if not l.implicit]) > 1:
                x.quantity = "layer_parameters"
            x.layer = index
        if x.quantity == "weights" and self.loose_weights:
            x.quantity = "total_parameters"
        if self.loose_weights and x.quantity in ("total_parameters", "trainable_parameters"):
            x.alternatives.append(Alternative("weights only, biases not counted", spec, "weights"))
        if x.quantity == "connections":
            x.alternatives.append(Alternative("connections counted with the bias connections", spec,
                                              "total_parameters"))
        return x

    def memory_request(self, x: Extraction, quantity: str | None) -> str | None:
        """'How much memory ... in float16?': the memory quantity, with dtype and unit recorded."""
        asked = self.asked_sentence()
        memory = [m for m in self.mentions("MEMORY", "MEMUNIT") if self.sentence(m) == asked] or (
            self.mentions("MEMORY", "MEMUNIT") if quantity is None else [])
        if not memory and self.mentions("DTYPE") and (quantity is None or "size" in self.text.lower()):
            memory = self.mentions("DTYPE")  # "the size of a 1.3B model at int8": a dtype matters only for memory
        if not memory:
            return None
        dtypes = [m.id for m in self.mentions("DTYPE")]
        units = [m.id for m in self.mentions("MEMUNIT") if self.sentence(m) == asked] or [
            m.id for m in self.mentions("MEMUNIT")]
        x.memory = {"dtype": dtypes[0] if dtypes else None, "unit": units[-1] if units else None}
        if self.mentions("TRAINING") or self.mentions("OPTIMIZER"):
            optimizers = [m.id for m in self.mentions("OPTIMIZER")]
            x.memory["optimizer"] = optimizers[0] if optimizers else None
            x.memory["precision"] = "mixed" if self.mentions("PRECISION") or (dtypes and dtypes[0] in (
                "float16", "bfloat16")) else "fp32"
            return "training_memory_bytes"
        return "memory_bytes"

    def framework(self, x: Extraction) -> None:
        named = [m.id for m in self.mentions("FRAMEWORK")]
        code = self.code.frameworks
        if self.override:
            x.framework_source, fw = "option", self.override
        elif "pytorch" in code:
            x.framework_source, fw = "code", "pytorch"
        elif "keras" in code:
            x.framework_source, fw = "code", "keras"
        elif named:
            x.framework_source, fw = "text", named[0]
        else:
            x.framework_source, fw = "default", "textbook"
        self.fw = fw

    def assemble(self, phrases: Phrases, x: Extraction):
        """Groups → ordered LayerSpecs, the input shape and how the input was stated."""
        groups = phrases.groups
        input_shape, input_kind = None, None
        consumed = phrases.consumed
        # inputs named in prose
        for m in self.mentions("INPUT"):
            if m.value is None or isinstance(m.value, float):
                continue
            value = self._prose_shape(m)
            if input_shape is None:
                input_shape, input_kind = value, m.id
            elif value != input_shape and not (m.id == "features" and input_kind in ("shape", "image")):
                if input_kind == "features" and m.id in ("shape", "image", "keras_shape"):
                    input_shape, input_kind = value, m.id
                elif input_kind == "keras_shape" and len(input_shape) == 2 and value == input_shape[-1:]:
                    pass
                elif input_kind in ("shape", "image") and value == (input_shape[-1],):
                    pass
                else:
                    x.missing.append(f"the size of the input (the question gives both {self._fmt(input_shape)} "
                                     f"and {self._fmt(value)})")
                    return [], None, None
        input_groups = [g for g in groups if g.role == "input" and not g.kind]
        for g in input_groups:
            groups.remove(g)
            if g.sizes and input_shape is None:
                input_shape, input_kind = (g.sizes[0],), "features"
        arch = phrases.architectures[0] if phrases.architectures else None
        if arch and len(arch) >= 2:
            if input_shape is None:
                input_shape, input_kind = (arch[0],), "features"
            arch_groups = [Group(0, 0, kind=phrases.network_kind or "Dense", count=1, sizes=[s])
                           for s in arch[1:]]
            arch_groups[-1].role = "output"
            code_groups = [g for g in groups if g.code]
            groups = arch_groups + code_groups
            self.output_mentions = []
            phrases.consumed.update(m.start for m in self.mentions("UNITS"))
            self.arch_mode = True
        else:
            self.output_mentions = [m for m in self.mentions("OUTPUT", "CLASSES", "SCALAR")
                                    if m.start not in consumed and not self._inside_input(m)]
        code_shape = self.code.input_shape
        if input_shape is None and self.code.tensor_shape is not None:
            input_shape, input_kind = self.code.tensor_shape, "tensor"
        if code_shape is not None and input_kind != "keras_shape":
            merged = self._merge_shapes(input_shape, code_shape)
            input_shape, input_kind = merged, ("code" if merged == code_shape else input_kind)
        if not any(g.kind in CONV_KINDS for g in groups) and not self.code.layers:
            conv_attrs = [m for m in self.mentions("CONV") if m.id in ("filters", "kernel")]
            if {m.id for m in conv_attrs} == {"filters", "kernel"}:  # "96 filters of 11x11, stride 4"
                first = min(m.start for m in conv_attrs)
                position = next((k for k, g in enumerate(groups) if g.start > first), len(groups))
                groups.insert(position, Group(first, first, kind="Conv", count=1, text="(convolution)"))
        assign_attributes(self.reading, groups)
        groups = self._apply_blanket_statements(groups)
        groups = self._merge_embeddings(groups)
        for g in [g for g in groups if g.kind == "Embedding" and not g.code and g.bare and len(groups) > 1
                  and not {"vocab", "table", "positions"} & set(g.attrs)]:
            groups.remove(g)  # "an LSTM reads 100-dimensional embeddings": vectors fed in, not a layer
            if input_shape is None and "dim" in g.attrs and isinstance(g.attrs["dim"].value, int):
                input_shape, input_kind = (g.attrs["dim"].value,), "features"
        if self.code.layers:
            # prose words that only describe the code ("conv = nn.Conv2d(...) # then BatchNorm"),
            # unless they stand in the chain of layers ("Dense(256) -> BatchNormalization -> ...")
            code_families = {_family(g.code.spec.kind) for g in groups if g.code}
            groups = [g for g in groups if g.code or g.sizes or g.attrs or g.role == "output"
                      or g.kind in SHAPE_ONLY_KINDS or self._in_chain(g)
                      or (g.kind in SIZED_KINDS and _family(g.kind) not in code_families)
                      or (not g.bare and (g.count or 1) > 1)]
        if len(groups) > 1:  # a bare "layer" that says nothing ("its first layer is a convolution")
            groups = [g for g in groups if g.kind or g.role or g.sizes or g.code or g.attrs]
        # the output layer named separately ("3 output neurons", "10 classes", "a scalar")
        output_groups = [g for g in groups if g.role == "output" and not g.code]
        hidden = [g for g in groups if g not in output_groups]
        outputs = self.output_mentions
        # a layer phrase with no size next to an output mention annotates it: "scalar (dense layer)"
        for g in list(hidden):
            if not g.sizes and not g.code and g.role != "hidden" and outputs and any(
                    self._adjacent(g.start, g.end, o.start, o.end) for o in outputs):
                hidden.remove(g)
                self.output_kind = g.kind
        # bare kind words that only name the network ("An RNN has two SimpleRNN layers")
        for g in list(hidden):
            if g.bare and not g.sizes and not g.code and len(hidden) > 1 and g.kind not in STRUCTURAL_KINDS:
                others = [h for h in hidden if h is not g]
                if any(h.kind == g.kind or h.kind is None or g.kind == "SimpleRNN" and h.kind in ("SimpleRNN", "LSTM", "GRU")
                       for h in others):
                    hidden.remove(g)
                    phrases.network_kind = phrases.network_kind or g.kind
        # standalone sizes: "50 hidden units", "5 hidden neurons", "128 memory cells"
        if len(hidden) > 1 and hidden[0].kind in ("GlobalAvgPool", "GlobalMaxPool") and hidden[1].kind == "Embedding":
            hidden[0], hidden[1] = hidden[1], hidden[0]  # "averages the embeddings": the pooling comes after
        if any(g.kind == "Embedding" for g in hidden):
            dims = [m for m in self.mentions("INPUT") if m.id == "features" and isinstance(m.value, int)]
            self.embedding_dim = dims[0].value if dims else None
        self._standalone_units(hidden, phrases)
        output_values = sorted({o.value if o.label != "SCALAR" else 1 for o in outputs
                                if isinstance(o.value if o.label != "SCALAR" else 1, int)})
        binary = self.mentions("BINARY")
        if output_groups:
            out = output_groups[-1]
            if not out.sizes and output_values:
                out.sizes = [output_values[0]]
            if not out.sizes:
                x.missing.append("the number of output units (how many classes or outputs)")
        elif output_values and hidden and hidden[-1].code is not None and hidden[-1].code.spec.kind == "Dense":
            pass  # the code's own last layer is the output the prose names ("Linear(64, 2) for two classes")
        elif (len(output_values) == 1 and hidden and hidden[-1].kind in (None, "Dense") and not hidden[-1].code
              and hidden[-1].role != "hidden" and hidden[-1].sizes and hidden[-1].sizes[-1] == output_values[0]
              and all(o.label == "CLASSES" for o in outputs)):
            pass  # "... fully connected layers of 4096, 4096 and 1000 units" for "1000 classes"
        elif output_values:
            if len(output_values) > 1:
                x.missing.append("the size of the output layer (the question gives "
                                 + " and ".join(str(v) for v in output_values) + ")")
            else:
                last = hidden[-1] if hidden else None
                if last is not None and not last.sizes and not last.code and len(hidden) == 1 \
                        and last.role != "hidden" and last.kind in (None, "Dense"):
                    last.sizes = output_values  # "a dense layer maps 512 inputs to 64 outputs"
                else:
                    output_groups = [Group(10**9, 10**9, kind=self.output_kind or "Dense",
                                           role="output", count=1, sizes=output_values)]
        elif binary and hidden and not any(g.code for g in hidden):
            output_groups = [Group(10**9, 10**9, kind="Dense", role="output", count=1, sizes=[1])]
            x.assumptions.append("binary classification: one sigmoid output unit")
            self.binary_alternative = True
        ordered = hidden + output_groups
        stack = [m.value for m in self.mentions("STACK") if isinstance(m.value, int) and m.value > 0]
        recurrent_groups = [g for g in hidden if g.kind in ("SimpleRNN", "LSTM", "GRU") and not g.code]
        if stack and len(recurrent_groups) == 1 and recurrent_groups[0].count in (None, 1):
            recurrent_groups[0].count = stack[0]  # "hidden_size 128, num_layers=2"
        if phrases.network_kind in ("SimpleRNN", "LSTM", "GRU") and not self.code.layers and not any(
                (g.kind or phrases.network_kind) in ("SimpleRNN", "LSTM", "GRU") for g in hidden):
            x.missing.append("how many hidden (recurrent) units the network has")
        layers: list[tuple[LayerSpec, Group]] = []
        for g in ordered:
            layers += self._expand(g, phrases, x)
        if not layers and not x.missing:
            x.missing.append("the layers of the network (their kinds and sizes)")
        return layers, input_shape, input_kind

    def _apply_blanket_statements(self, groups: list[Group]) -> list[Group]:
        """'All convolutions are 3x3 with same padding': settings for every layer of that kind."""
        doc = self.reading.doc
        out = []
        for g in groups:
            before = doc[g.start - 1].lower_ if g.start > 0 else ""
            if before in ("all", "every", "each") and not g.sizes and not g.code:
                for other in groups:
                    if other is not g and _family(other.kind) == _family(g.kind):
                        for key, m in g.attrs.items():
                            other.attrs.setdefault(key, m)
                continue
            out.append(g)
        return out

    def _merge_embeddings(self, groups: list[Group]) -> list[Group]:
        """'An embedding layer ... 64-dimensional embeddings' in one sentence is one embedding."""
        out: list[Group] = []
        for g in groups:
            last = out[-1] if out else None
            if (last is not None and g.kind == last.kind == "Embedding" and not g.code and not last.code
                    and self.reading.sentence_of[g.start] == self.reading.sentence_of[last.start]
                    and not ({"vocab", "table", "positions"} & set(g.attrs)
                             and {"vocab", "table", "positions"} & set(last.attrs))):
                last.sizes = last.sizes or g.sizes
                for key, m in g.attrs.items():
                    last.attrs.setdefault(key, m)
                continue
            out.append(g)
        return out

    def _in_chain(self, g: Group) -> bool:
        doc = self.reading.doc
        before = doc[g.start - 1].text if g.start > 0 else ""
        after = doc[g.end].text if g.end < len(doc) else ""
        return before == "->" or after == "->"

    def _prose_shape(self, m: Mention) -> tuple:
        """An input mention's shape, with the channels an image's words give ("RGB" → 3)."""
        value = m.value if isinstance(m.value, tuple) else (m.value,)
        if m.id in ("image", "frames", "features", "shape") and len(value) == 2 and (
                m.id in ("image", "frames") or value[1] != 1 and value[0] != 1):
            words = vocab()["channel_words"]
            channels = [int(c.id) for c in self.mentions("CHANNELS")] + [
                words[t.lower_] for t in self.reading.doc if t.lower_ in words]
            if channels:
                value = value + (channels[0],)
        if m.id == "frames":
            frames = self.reading.doc[m.start].text
            if frames.isdigit():
                value = (int(frames),) + value
        return value

    def _merge_shapes(self, prose: tuple | None, code: tuple) -> tuple:
        """The code's input shape completed by the prose's (sides the code leaves unknown)."""
        if prose is None:
            return code
        if len(prose) == len(code) + 1 and self.fw == "pytorch":
            prose = prose[1:]  # a PyTorch tensor shape written with its batch size
        if len(prose) == len(code) - 1 and code[-1] is not None and prose[-1] != code[-1]:
            prose = prose + (code[-1],)  # "28x28 digits" + in_channels=1
        if len(prose) != len(code):
            return code
        if (self.fw == "pytorch" and len(prose) >= 2 and code[-1] is not None
                and prose[0] == code[-1] and prose[-1] != code[-1]):
            prose = prose[1:] + prose[:1]  # channels first, as PyTorch writes it
        if all(c is None or c == p for c, p in zip(code, prose)):
            return prose
        return code

    def _adjacent(self, a0: int, a1: int, b0: int, b1: int) -> bool:
        """Two spans separated only by brackets or punctuation: "a scalar (dense layer)"."""
        gap = range(a1, b0) if a1 <= b0 else range(b1, a0)
        return len(gap) <= 2 and all(self.reading.doc[i].text in "(),:-" for i in gap)

    def _inside_input(self, m: Mention) -> bool:
        return False

    def _standalone_units(self, hidden: list[Group], phrases: Phrases) -> None:
        doc, v = self.reading.doc, vocab()
        used = {i for g in hidden for i in range(g.start, g.end)}
        for m in self.mentions("UNITS"):
            if m.start in phrases.consumed or not isinstance(m.value, int):
                continue
            target = next((g for g in reversed(hidden) if not g.sizes and g.start < m.start), None) \
                or next((g for g in hidden if not g.sizes), None)
            if target is not None:
                target.sizes = [m.value]
            else:
                group = Group(m.start, m.end, kind=None, role="hidden", count=1, sizes=[m.value])
                position = next((k for k, g in enumerate(hidden) if g.start > m.start), len(hidden))
                hidden.insert(position, group)
            phrases.consumed.add(m.start)
        for i, token in enumerate(doc):
            if self.arch_mode:
                break
            if i in used or self.reading.covered.get(i) is not None:
                continue
            value = token.text
            if not value.isdigit():
                continue
            if doc[i - 1].text == "->" if i else False:
                if i + 1 >= len(doc) or doc[i + 1].text in ("->", ".", ",", "?", ";"):
                    group = Group(i, i + 1, kind=None, role="hidden", count=1, sizes=[int(value)])
                    position = next((k for k, g in enumerate(hidden) if g.start > i), len(hidden))
                    hidden.insert(position, group)  # "50 inputs -> 32 -> 32 -> 5 outputs"
                    continue
            j = i + 1
            role = None
            if self.reading.covered.get(j) and self.reading.covered[j].label == "ROLE":
                role = self.reading.covered[j].id
                j = self.reading.covered[j].end
            if j >= len(doc) or doc[j].lower_ not in v["unit_nouns"] or self.reading.covered.get(j):
                continue
            if doc[j].lower_ in ("features", "outputs", "dimensions", "dims", "dim", "activations"):
                continue
            size = int(value)
            sentence = self.reading.sentence_of[i]
            target = next((g for g in reversed(hidden) if not g.sizes and not g.code
                           and self.reading.sentence_of[min(g.start, len(doc) - 1)] == sentence), None)
            if target is not None and role in (None, "hidden"):
                target.sizes = [size]
            elif role in (None, "hidden"):
                group = Group(i, j + 1, kind=None, role="hidden", count=1, sizes=[size])
                position = next((k for k, g in enumerate(hidden) if g.start > i), len(hidden))
                hidden.insert(position, group)

    def _expand(self, g: Group, phrases: Phrases, x: Extraction) -> list[tuple[LayerSpec, Group]]:
        if g.code is not None:
            return [(g.code.spec, g)]
        kind = g.kind or self.output_kind if g.role == "output" else g.kind
        if kind in BLOCK_KINDS:
            kind = None  # "encoder layers of 128 and 32 units" outside a transformer: plain dense layers
        kind = kind or (phrases.network_kind if phrases.network_kind in ("SimpleRNN", "LSTM", "GRU", "Dense")
                        and g.role != "output" else None) or "Dense"
        name = KIND_NAMES.get(kind, kind)
        role = f"{g.role} " if g.role in ("hidden", "output") else ""
        if kind in STRUCTURAL_KINDS:
            return self._expand_structural(g, kind, name, x)
        if not g.sizes:
            count_txt = f"{g.count} " if g.count and g.count > 1 else ""
            x.missing.append(f"how many units the {count_txt}{role}{name} layer{'s' if g.plural else ''} "
                             f"{'have' if g.plural else 'has'}")
            return []
        count = g.count
        if count is None:
            if len(g.sizes) > 1:
                count = len(g.sizes)
            elif g.plural:
                x.missing.append(f"how many {role}{name} layers there are")
                return []
            else:
                count = 1
        if len(g.sizes) == 1:
            sizes = g.sizes * count
        elif len(g.sizes) == count:
            sizes = g.sizes
        else:
            x.missing.append(f"the sizes of the {count} {role}{name} layers (the question lists "
                             + ", ".join(str(s) for s in g.sizes) + ")")
            return []
        bidir = g.bidirectional or bool(self.mentions("BIDIR")) and kind in ("SimpleRNN", "LSTM", "GRU") \
            and g.role != "output"
        nobias = bool(self.mentions("NOBIAS"))
        out = []
        for size in sizes:
            out.append((LayerSpec(kind, size, bias=not nobias, bidirectional=bidir,
                                  name=f"{role}{name} layer".strip()), g))
        return out

    def _expand_structural(self, g: Group, kind: str, name: str, x: Extraction):
        """Convolution, pooling, normalisation, embedding and shape layers from their attributes."""
        a = {key: m.value for key, m in g.attrs.items()}
        fields: dict[str, Any] = {}
        if kind in CONV_KINDS and len(g.sizes) > 1 and "filters" not in g.attrs or (
                kind in CONV_KINDS and len(g.sizes) > 1 and g.count == len(g.sizes)):
            out = []
            for size in g.sizes:  # "three 3x3 conv layers with 32, 64 and 64 filters"
                single = Group(g.start, g.end, kind=g.kind, count=1, sizes=[size], attrs=dict(g.attrs))
                single.attrs.pop("filters", None)
                out += self._expand_structural(single, kind, name, x)
            return out
        if kind in CONV_KINDS:
            filters = a.get("filters") or (g.sizes[0] if len(g.sizes) == 1 else None)
            if kind != "DepthwiseConv2D" and not isinstance(filters, int):
                x.missing.append(f"how many filters the {name} layer has")
                return []
            kernel = a.get("kernel")
            if kernel is None:
                x.missing.append(f"the kernel size of the {name} layer")
                return []
            fields.update(units=filters if kind != "DepthwiseConv2D" else None, kernel=kernel,
                          strides=a.get("stride"), dilation=a.get("dilation"))
            if isinstance(a.get("multiplier"), int):
                fields["depth_multiplier"] = a["multiplier"]
            if isinstance(a.get("groups"), int):
                fields["groups"] = a["groups"]
        if kind in POOL_KINDS:
            fields.update(pool=a.get("pool"), strides=a.get("stride"))
        if kind in CONV_KINDS | POOL_KINDS:
            if "padding_same" in g.attrs:
                fields["padding"] = "same"
            elif isinstance(a.get("padding"), (int, tuple)):
                fields["padding"] = a["padding"]
        if kind == "Embedding":
            table = a.get("table") if isinstance(a.get("table"), tuple) and len(a["table"]) == 2 else (None, None)
            vocab_size = a.get("vocab") or table[0] or a.get("positions")
            dim = a.get("dim") or table[1] or (g.sizes[0] if len(g.sizes) == 1 else None) or self.embedding_dim
            if not isinstance(vocab_size, int):
                x.missing.append("the vocabulary size of the embedding (how many words or tokens)")
                return []
            if not isinstance(dim, int):
                x.missing.append("the dimension of the embedding vectors")
                return []
            fields.update(vocab=vocab_size, units=dim)
            if self.mentions("FROZEN"):
                fields["trainable"] = False
                x.assumptions.append("the embedding is frozen: its table counts as non-trainable")
        if self.mentions("NOBIAS") and kind in CONV_KINDS:
            fields["bias"] = False
        count = g.count or 1
        return [(LayerSpec(kind, name=f"{name} layer", **{k: v for k, v in fields.items() if v is not None}), g)
                for _ in range(count)]

    def build_spec(self, layers, input_shape, input_kind, x: Extraction) -> NetworkSpec | None:
        specs = [spec for spec, _ in layers]
        first_code = next((g.code for _, g in layers[:1] if g.code), None)
        if input_shape is None and first_code is not None and first_code.input_shape is not None:
            input_shape, input_kind = first_code.input_shape, "code"
        if specs and specs[0].kind == "Embedding" and input_kind not in ("code", "keras_shape") \
                and not (input_kind in ("shape", "tensor") and input_shape and len(input_shape) == 1):
            lengths = [m.value for m in self.mentions("EMBED") if m.id == "length" and isinstance(m.value, int)]
            lengths += [m.value for m in self.mentions("TIMESTEPS") if isinstance(m.value, int)]
            input_shape, input_kind = ((lengths[0],) if lengths else (None,)), "tokens"
        if input_shape is None:
            channels = [m.value for m in self.mentions("CONV") if m.id == "in_channels" and isinstance(m.value, int)]
            if channels and specs and specs[0].kind in CONV_KINDS | {"BatchNormalization", "LayerNormalization"}:
                dims = {"Conv1D": 1, "Conv3D": 3}.get(specs[0].kind, 2)
                input_shape, input_kind = (None,) * dims + (channels[0],), "channels"
        if input_shape is None and specs and specs[0].kind in BLOCK_KINDS:
            width = specs[0].units or next((m.value for m in self.mentions("TF") if m.id == "width"
                                            and isinstance(m.value, int)), None)
            if width:
                input_shape, input_kind = (None, width), "code"  # attention over a sequence of width d
        if input_shape is None and specs and specs[0].kind in CONV_KINDS:
            words = vocab()["channel_words"]
            channels = [int(c.id) for c in self.mentions("CHANNELS")] + [
                words[t.lower_] for t in self.reading.doc if t.lower_ in words]
            if channels:
                dims = {"Conv1D": 1, "Conv3D": 3}.get(specs[0].kind, 2)
                input_shape, input_kind = (None,) * dims + (channels[0],), "channels"  # "on RGB input"
        if input_shape is None and specs:
            named = self._dataset_shape()
            if named is not None:
                input_shape, input_kind = named
        if input_shape is None and specs and all(s.kind in PARAMETER_FREE for s in specs):
            input_shape, input_kind = (None, None, 1), "code"
            x.assumptions.append(f"a {KIND_NAMES.get(specs[0].kind, specs[0].kind)} layer has no parameters "
                                 "whatever its input")
        if input_shape is None and x.quantity == "biases" and specs:
            input_shape = (1,)
            x.assumptions.append("the input size is not given, but it does not change the number of "
                                 "biases (the steps show i = 1)")
        if input_shape is None:
            first = specs[0] if specs else None
            what = KIND_NAMES.get(first.kind, first.kind) if first else "first"
            x.missing.append(f"the size of the input (how many features go into the first {what} layer)")
            x.understood = self._understood(specs, None)
            return None
        if any(side is not None and (not isinstance(side, int) or side <= 0) for side in input_shape):
            x.missing.append(f"a positive input size (the question gives {self._fmt(input_shape)})")
            return None
        if any(s.units is not None and s.units <= 0 for s in specs):
            x.missing.append("a positive size for every layer")
            return None
        recurrent = any(s.kind in ("SimpleRNN", "LSTM", "GRU") for s in specs)
        shape = tuple(input_shape)
        alternatives = []
        if input_kind in ("shape", "features") and len(shape) == 2:
            if shape[1] == 1 or shape[0] == 1:
                n = shape[0] if shape[1] == 1 else shape[1]
                x.assumptions.append(f"input {self._fmt(shape)} read as {n} features"
                                     + (" at each time step" if recurrent else ""))
                if recurrent and shape[1] == 1 and shape[0] > 1:
                    alternatives.append((f"{self._fmt(shape)} read as {shape[0]} time steps of 1 feature "
                                         f"(Keras input_shape={self._fmt(shape)})", shape))
                shape = (n,)
            elif recurrent:
                x.assumptions.append(f"input {self._fmt(shape)} read as {shape[0]} time steps of "
                                     f"{shape[1]} features")
        elif input_kind == "image" and len(shape) == 2:
            words = vocab()["channel_words"]
            channels = [m.id for m in self.mentions("CHANNELS")] + [
                words[t.lower_] for t in self.reading.doc if t.lower_ in words]
            shape = shape + (int(channels[0]),) if channels else shape
        elif input_kind in ("keras_shape", "code") and recurrent and len(shape) == 2:
            x.assumptions.append(f"Keras input_shape={self._fmt(shape)}: {shape[0]} time steps of "
                                 f"{shape[1]} features")
        if specs and specs[0].kind in CONV_KINDS and len(shape) == 1:
            dims = {"Conv1D": 1, "Conv3D": 3}.get(specs[0].kind, 2)
            steps = [m.value for m in self.mentions("TIMESTEPS") if isinstance(m.value, int)]
            shape = ((steps[0],) if dims == 1 and steps else (None,) * dims) + shape
        if recurrent and len(shape) == 1 and specs[0].kind in ("SimpleRNN", "LSTM", "GRU"):
            steps = [m.value for m in self.mentions("TIMESTEPS") if isinstance(m.value, int)]
            if steps:
                shape = (steps[0],) + shape
        if specs and specs[0].kind == "Dense" and len(shape) > 1 and input_kind in ("image", "shape", "features") \
                and id(specs[0]) in {id(spec) for spec, g in layers if g.code is None}:
            size = 1
            for side in shape:
                size *= side if side else 1
            specs.insert(0, LayerSpec("Flatten", implicit=True, name="flatten (implied)"))
            x.assumptions.append(f"the {self._fmt(shape)} input is flattened to {size:,} values before "
                                 "the first dense layer")
        specs = self._resolve_kinds(specs, shape, layers, x)
        if specs is None:
            return None
        spec = NetworkSpec(shape, tuple(specs), self.fw)
        for reading, alt_shape in alternatives:
            x.alternatives.append(Alternative(reading, spec.with_(input=alt_shape)))
        self._convention_notes(spec, x)
        x.understood = self._understood([s for s in specs if not s.implicit], shape)
        return spec

    def _resolve_kinds(self, specs: list[LayerSpec], shape: tuple, layers, x: Extraction):
        """Generic prose kinds take the input's rank (a conv on an image is a Conv2D); a prose
        dense layer after a conv, pooling or embedding layer sees the flattened values."""
        rank = len(shape) - 1
        prose = {id(spec) for spec, g in layers if g.code is None}
        out: list[LayerSpec] = []
        for spec in specs:
            kind = spec.kind
            if kind in GENERIC_KINDS:
                if not 1 <= rank <= 3:
                    x.missing.append(f"the height and width (and channels) of the input to the "
                                     f"{KIND_NAMES[kind]} layer")
                    return None
                spec = spec.with_(kind=GENERIC_KINDS[kind].format(d=rank))
            if spec.kind == "Dense" and id(spec) in prose or spec.kind == "Dense" and spec.name:
                previous = next((o for o in reversed(out) if o.kind not in ("Dropout", "Activation")), None)
                if previous is not None and (previous.kind in SPATIAL_KINDS or previous.kind == "Embedding"):
                    out.append(LayerSpec("Flatten", implicit=True, name="flatten (implied)"))
                    x.assumptions.append(f"the output of the {KIND_NAMES.get(previous.kind, previous.kind)} "
                                         "layer is flattened before the dense layer (an implied Flatten)")
            out.append(spec)
        return out

    def _dataset_shape(self) -> tuple[tuple, str] | None:
        """'MNIST' → (28, 28, 1): a dataset named in the question gives its input shape."""
        table = load_toml("datasets.toml")["datasets"]
        for token in self.reading.doc:
            shape = table.get(token.lower_)
            if shape:
                self.x.assumptions.append(f"{token.text} inputs are {'×'.join(map(str, shape))} (height × width "
                                          "× channels)")
                return tuple(shape), "image"
        return None

    def _convention_notes(self, spec: NetworkSpec, x: Extraction) -> None:
        kinds = {layer.kind for layer in spec.layers}
        if any(layer.bias for layer in spec.layers) and not self.mentions("NOBIAS") and not self.code.layers:
            x.assumptions.append("every layer has biases (the question does not say otherwise)")
        if self.fw == "textbook" and kinds & {"SimpleRNN", "LSTM", "GRU"}:
            x.assumptions.append("textbook recurrent layers: one bias vector per gate")
            x.alternatives.append(Alternative("PyTorch convention: two bias vectors per gate (b_ih and b_hh)",
                                              spec.with_(framework="pytorch")))
        if self.fw == "keras" and "GRU" in kinds and all(l.reset_after is None for l in spec.layers if l.kind == "GRU"):
            x.assumptions.append("Keras GRU with reset_after=True (the default): two bias vectors per gate")
            layers = [l.with_(reset_after=False) if l.kind == "GRU" else l for l in spec.layers]
            x.alternatives.append(Alternative("GRU(reset_after=False), the TF 1.x default: one bias per gate",
                                              spec.with_(layers=layers)))
        if "BatchNormalization" in kinds and convention(self.fw).batchnorm_statistics == "parameters" \
                and x.quantity == "total_parameters":
            x.assumptions.append("BatchNorm's moving mean and variance are counted (as Keras' summary does)")
            x.alternatives.append(Alternative("BatchNorm counted without its moving mean and variance "
                                              "(γ and β only, as PyTorch's parameters() does)", spec,
                                              "trainable_parameters"))
        ff_default = [layer for layer in spec.layers if layer.kind in BLOCK_KINDS[1:] and layer.ff == 2048
                      and self.code.layers and layer.units and layer.units * 4 != 2048]
        if ff_default:
            x.assumptions.append("PyTorch's dim_feedforward default: 2048, whatever d_model is")
            x.alternatives.append(Alternative(f"feed-forward width 4 × d_model = {4 * ff_default[0].units:,}",
                                              spec.with_(layers=[layer.with_(ff=4 * layer.units)
                                                                 if layer.kind in BLOCK_KINDS[1:] else layer
                                                                 for layer in spec.layers])))
        if self.binary_alternative:
            last = spec.layers[-1]
            x.alternatives.append(Alternative("softmax over 2 classes (two output units)",
                                              spec.with_(layers=list(spec.layers[:-1]) + [last.with_(units=2)])))

    def resolve_reference(self, ref: dict, spec: NetworkSpec) -> int | None:
        listed = [l for l in spec.layers if not l.implicit]
        if "index" in ref:
            return ref["index"] if 1 <= ref["index"] <= len(listed) else None
        candidates = list(range(1, len(listed) + 1))
        role, kind, ordinal = ref.get("role"), ref.get("kind"), ref.get("ordinal")
        if role == "output" and not ordinal:
            has_output = listed[-1].name.startswith("output") or self.code.layers or self.arch_mode
            return len(listed) if has_output else None
        if role == "hidden":
            candidates = candidates[:-1]
        if kind:
            candidates = [i for i in candidates if _kind_matches(kind, listed[i - 1].kind)]
        if not candidates:
            return None
        if ordinal:
            if ordinal == -1:
                return candidates[-1]
            return candidates[ordinal - 1] if ordinal <= len(candidates) else None
        if len(candidates) == 1 or kind:
            return candidates[0]
        return None

    def _understood(self, specs: list[LayerSpec], shape) -> list[str]:
        out = []
        if shape is not None:
            out.append(f"input {self._fmt(shape)}")
        for s in specs:
            if s.units:
                extra = " bidirectional" if s.bidirectional else ""
                out.append(f"{KIND_NAMES.get(s.kind, s.kind)}{extra} layer of {s.units} "
                           f"unit{'s' if s.units != 1 else ''}")
            else:
                out.append(f"{KIND_NAMES.get(s.kind, s.kind)} layer")
        return out

    @staticmethod
    def _fmt(shape) -> str:
        if len(shape) == 1:
            return f"({shape[0]},)" if shape[0] is not None else "(None,)"
        return "(" + ", ".join("None" if s is None else str(s) for s in shape) + ")"


def extract(question: str, framework: str | None = None) -> Extraction:
    """Read ``question`` into an :class:`Extraction` (never raises on odd text)."""
    return Extractor(question, framework).run()
