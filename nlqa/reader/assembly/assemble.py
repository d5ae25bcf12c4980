"""Layer phrases → ordered layers: inputs, outputs, sizes, attributes, implied layers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..prose import docwords
from ...core.spec import LayerSpec
from ...core.validate import shape_literal, shown
from ..code.notation import MAX_LAYERS
from ..prose.attributes import CONV_KINDS, POOL_KINDS, assign_attributes
from ..prose.datasets import dataset_classes, output_named
from ..prose.groups import without_code_echoes
from ..extraction import Extraction
from ..prose.groups import Group, Phrases
from ..code.layout import data_input
from ..prose.kinds import KIND_NAMES, SHAPE_ONLY_KINDS, SIZED_KINDS, STRUCTURAL_KINDS, _family
from ..prose.mentions import Mention, number, vocab
from ..read import Read
from .transformers import BLOCK_KINDS


@dataclass(frozen=True)
class Assembly:
    """The network's layers in order (each LayerSpec with the phrase it came from), its input and how the
    input was stated, and what the spec stage needs of the reading: the channels a 5x5x3 kernel sees, whether
    a binary task's two-unit softmax is an alternative, whether the layers came from a size list ("784-128-10",
    whose last size is the output), and the reading with an input's channels relabelled as such."""

    layers: list[tuple[LayerSpec, Group]]
    input_shape: tuple | None
    input_kind: str | None
    read: Read
    kernel_channels: int | None = None
    binary_alternative: bool = False
    arch_mode: bool = False


class Assembler:
    """The assembly stage: layer phrases and code layers → an :class:`Assembly`. Its attributes are its
    own working state; what it hands on is the Assembly."""

    arch_mode = False
    embedding_dim: int | None = None
    kernel_channels: int | None = None
    output_kind: str | None = None
    binary_alternative = False

    def __init__(self, read: Read, asked: int | None, fw: str):
        self.read = read.with_mentions(input_channels(read.reading.mentions))
        self.asked = asked
        self.fw = fw
        self.output_mentions: list[Mention] = []
        self.phrase_groups: list[Group] = []

    def assemble(self, phrases: Phrases, x: Extraction) -> Assembly:
        """Groups → ordered LayerSpecs, the input shape and how the input was stated."""
        layers, input_shape, input_kind = self._assemble(phrases, x)
        return Assembly(layers, input_shape, input_kind, self.read, self.kernel_channels, self.binary_alternative,
                        self.arch_mode)

    def _assemble(self, phrases: Phrases, x: Extraction):
        groups = phrases.groups
        input_shape, input_kind = None, None
        consumed = phrases.consumed
        # inputs named in prose; where two disagree and a whole script states its own full input, the
        # script's is the input: the prose is the asker's reasoning ("a combined input size of 24")
        stated = self.read.code.script and self.read.code.input_shape is not None and None not in self.read.code.input_shape
        for m in sorted(self.read.mentions("INPUT") + self._matrix_inputs(), key=lambda m: m.start):
            if m.value is None or isinstance(m.value, float):
                continue
            value = self._prose_shape(m)
            kind = "shape" if m.id == "features" and len(value) >= 3 else m.id  # "Input (64, 64, 3)"
            if m.id == "features" and len(value) == 2 and any(w in m.text.lower() for w in ("image", "picture", "photo")) \
                    or m.id in ("features", "shape") and len(value) == 2 and re.search(r"\d\s*[x×]\s*\d", m.text) \
                    and self._square_window():
                kind = "image"  # "an input image of 64x64"
                value = self._prose_shape(Mention(m.label, "image", m.start, m.end, m.value, m.text))
            if input_shape is None:
                input_shape, input_kind = value, kind
            elif value != input_shape and not (m.id == "features" and input_kind in ("shape", "image")):
                if input_kind == "features" and m.id in ("shape", "image", "keras_shape"):
                    input_shape, input_kind = value, m.id
                elif input_kind == "keras_shape" and len(input_shape) == 2 and value == input_shape[-1:]:
                    pass
                elif input_kind in ("shape", "image") and value == (input_shape[-1],):
                    pass
                elif stated:
                    input_shape, input_kind = None, None
                    break
                else:
                    x.missing.append(f"the size of the input (the question gives both {shape_literal(input_shape)} "
                                     f"and {shape_literal(value)})")
                    return [], None, None
        input_groups = [g for g in groups if g.role == "input" and not g.kind]
        for g in input_groups:
            groups.remove(g)
            if g.sizes and input_shape is None:
                input_shape, input_kind = (g.sizes[0],), "features"
        arch = phrases.architectures[0] if phrases.architectures else None
        for more in phrases.architectures[1:]:  # "encoder: 64 -> 32 -> 8; decoder: 8 -> 32 -> 64"
            if arch and len(more) >= 2 and more[0] == arch[-1]:
                arch = arch + more[1:]
            elif more != arch:
                x.missing.append("which of the layer lists " + " and ".join(
                    "-".join(str(n) for n in a) for a in phrases.architectures) + " is the network")
                return [], None, None
        if arch and len(arch) >= 2:
            if input_shape is None:
                input_shape, input_kind = (arch[0],), "features"
            arch_groups = [Group(0, 0, kind=phrases.network_kind or "Dense", count=1, sizes=[s])
                           for s in arch[1:]]
            arch_groups[-1].role = "output"
            code_groups = [g for g in groups if g.code]
            norms = [g for g in groups if not g.code and g.kind in ("BatchNormalization", "LayerNormalization")]
            if norms:  # "a 20-64-1 MLP with batch normalization after the hidden layer(s)"
                doc = self.read.reading.doc
                after = " ".join(t.lower_ for t in doc[norms[0].end:norms[0].end + 5])
                if len(norms) > 1 or "hidden" not in after:
                    x.missing.append("where the normalization layer stands (list the layers one by one, e.g. "
                                     "'dense 64 -> batch norm -> dense 1')")
                    return [], None, None
                with_norms = []
                for g in arch_groups:
                    with_norms.append(g)
                    if g.role != "output":
                        with_norms.append(Group(g.start, g.start, kind=norms[0].kind, count=1, text=norms[0].text))
                arch_groups = with_norms
            groups = arch_groups + code_groups
            self.output_mentions = []
            phrases.consumed.update(m.start for m in self.read.mentions("UNITS"))
            self.arch_mode = True
        else:
            self.output_mentions = [m for m in self.read.mentions("OUTPUT", "CLASSES", "SCALAR")
                                    if m.start not in consumed]
            vocab_sizes = [m.value for m in self.read.mentions("EMBED") if m.id == "vocab" and isinstance(m.value, int)]
            self.output_mentions = [  # "a softmax over the vocabulary": as many outputs as words
                Mention(m.label, m.id, m.start, m.end, vocab_sizes[0], m.text) if m.id == "vocab" and vocab_sizes
                else m for m in self.output_mentions if m.id != "vocab" or vocab_sizes]
        if not self.read.code.layers:
            groups = self._implied_convolutions(groups)
        groups[:] = self._without_subject_references(groups)
        assign_attributes(self.read.reading, groups)
        groups[:] = self._completed_later(groups, phrases.consumed)
        self._same_as_before(groups)
        groups[:] = without_code_echoes(groups)
        code_shape = self.read.code.input_shape
        first_code = min((g.start for g in groups if g.code), default=None)
        if first_code is not None and any(g.start < first_code and g.kind in SIZED_KINDS and not g.code
                                          for g in groups):
            code_shape = None  # "an LSTM over input size 5, followed by nn.Linear(20, 1)": the code is not first
        if self.read.code.tensor_shape is not None:
            first = next((g.code for g in groups if g.code), None)
            sample, note = data_input(self.read.code.tensor_shape, self.read.code.tensor_layout, first)
            # the tensor fed to the network is the input; prose that says less ("input_size=10" for
            # a (5, 7, 10) tensor: its last axis) agrees with it and gives way
            if input_shape is None or (len(sample) > len(input_shape)
                                       and tuple(sample[-len(input_shape):]) == tuple(input_shape)):
                input_shape, input_kind = sample, "tensor"
                if note:
                    x.assumptions.append(note)
        if code_shape is not None and input_kind != "keras_shape":
            merged = self._merge_shapes(input_shape, code_shape)
            input_shape, input_kind = merged, ("code" if merged == code_shape else input_kind)
        groups, context_input = self._context_layers(groups)
        if input_shape is None and context_input is not None:
            input_shape, input_kind = context_input, "channels"
        groups = self._apply_blanket_statements(groups)
        groups = self._merge_embeddings(groups)
        fed = ("reads", "read", "takes", "receives", "over", "processes", "consumes", "into", "gets", "sees", "to",
               "on", "of", "input", "inputs")
        for g in [g for g in groups if g.kind == "Embedding" and not g.code and g.bare and len(groups) > 1
                  and not {"vocab", "table", "positions"} & set(g.attrs)
                  and any(t.lower_ in fed for t in self.read.reading.doc[max(g.start - 5, 0):g.start])]:
            groups.remove(g)  # "an LSTM reads 100-dimensional embeddings": vectors fed in, not a layer
            if input_shape is None and "dim" in g.attrs and isinstance(g.attrs["dim"].value, int):
                input_shape, input_kind = (g.attrs["dim"].value,), "features"
        if self.read.code.script:
            groups = [g for g in groups if g.code]  # a pasted script defines the whole model
            self.output_mentions = []
        if self.read.code.layers:
            code_units = [g.code.spec.units for g in groups if g.code and g.code.spec.units]
            groups = [g for g in groups if g.code or not g.sizes or g.attrs
                      or not all(code_units.count(s) >= g.sizes.count(s) for s in g.sizes)]
        if self.read.code.layers:
            # prose words that only describe the code ("conv = nn.Conv2d(...) # then BatchNorm"),
            # unless they stand in the chain of layers ("Dense(256) -> BatchNormalization -> ...")
            code_families = {_family(g.code.spec.kind) for g in groups if g.code}
            groups = [g for g in groups if g.code or g.sizes or g.attrs or g.role == "output"
                      or g.kind in SHAPE_ONLY_KINDS or self._in_chain(g)
                      or (g.kind in SIZED_KINDS and _family(g.kind) not in code_families)
                      # "a Dense(64) layer ..., then a BatchNormalization layer": inline code beside prose
                      # that names another kind of layer (in a pasted script, such words are comments on it)
                      or (not self.read.code.script and g.kind in STRUCTURAL_KINDS and not g.bare
                          and _family(g.kind) not in code_families)
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
            dims = [m for m in self.read.mentions("INPUT") if m.id == "features" and isinstance(m.value, int)]
            self.embedding_dim = dims[0].value if dims else None
        self._standalone_units(hidden, phrases, output_groups)
        output_values = sorted({o.value if o.label != "SCALAR" else 1 for o in outputs
                                if isinstance(o.value if o.label != "SCALAR" else 1, int)})
        binary = self.read.mentions("BINARY")
        classes = None if output_values else dataset_classes(self.read.reading.doc)
        single = None if self.read.code.layers or any(g.sizes or g.code or g.kind not in (None, "Dense")
                                                 for g in hidden + output_groups) else self._single_layer_model(output_values)
        if single is not None and (hidden or output_groups):   # "logistic regression on 100 features"
            hidden, output_groups = [], [Group(10**9, 10**9, kind="Dense", role="output", count=1, sizes=[single[0]])]
            x.assumptions.append(single[1])
        if output_groups:
            out = output_groups[-1]
            if not out.sizes and output_values:
                out.sizes = [output_values[0]]
            if not out.sizes and classes and not binary:
                out.sizes = [classes[0]]
                x.assumptions.append(classes[1])
            if not out.sizes and binary:  # "put a classifier on top" of a spam / not-spam task
                out.sizes = [1]
                x.assumptions.append("binary classification: one sigmoid output unit")
                self.binary_alternative = True
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
                        and last.role != "hidden" and last.kind in (None, "Dense", "Neuron"):
                    last.sizes = output_values  # "a dense layer maps 512 inputs to 64 outputs"
                else:
                    output_groups = [Group(10**9, 10**9, kind=self.output_kind or "Dense",
                                           role="output", count=1, sizes=output_values)]
        elif classes and hidden and not binary and not any(g.code for g in hidden) and output_named(
                self.read.reading.doc, self.read.mentions("ROLE")):
            # "... one hidden layer of 512 units before the softmax output" of a CIFAR-10 question
            output_groups = [Group(10**9, 10**9, kind="Dense", role="output", count=1, sizes=[classes[0]])]
            x.assumptions.append(classes[1])
        elif binary and hidden and not any(g.code for g in hidden):
            output_groups = [Group(10**9, 10**9, kind="Dense", role="output", count=1, sizes=[1])]
            x.assumptions.append("binary classification: one sigmoid output unit")
            self.binary_alternative = True
        elif self.read.mentions("REGRESSION") and hidden and not any(g.code for g in hidden) and all(
                g.role == "hidden" or g.kind in (None, "Dense") for g in hidden) and any(g.role == "hidden" for g in hidden):
            # "2 hidden layers ... we are solving a regression problem": the task gives the output layer
            output_groups = [Group(10**9, 10**9, kind="Dense", role="output", count=1, sizes=[1])]
            x.assumptions.append("a regression task with no output layer stated: one linear output unit")
        ordered = hidden + output_groups
        stack = [m.value for m in self.read.mentions("STACK") if isinstance(m.value, int) and m.value > 0]
        recurrent_groups = [g for g in hidden if g.kind in ("SimpleRNN", "LSTM", "GRU") and not g.code]
        if not stack and len(recurrent_groups) == 1 and len(hidden) == 1:
            stack = self._stacked_layers(recurrent_groups[0])   # "an RNN with hidden size 16, 2 layers"
        if stack and len(recurrent_groups) == 1 and recurrent_groups[0].count in (None, 1):
            recurrent_groups[0].count = stack[0]  # "hidden_size 128, num_layers=2"
        if phrases.network_kind in ("SimpleRNN", "LSTM", "GRU") and not self.read.code.layers and not any(
                (g.kind or phrases.network_kind) in ("SimpleRNN", "LSTM", "GRU") for g in hidden):
            x.missing.append("how many hidden (recurrent) units the network has")
        ordered = self._on_top_of(ordered)
        embeddings = [g for g in ordered if g.kind == "Embedding" and not g.code]
        if embeddings and ordered[0] is not embeddings[0] and not any(g.code for g in ordered):
            ordered = embeddings + [g for g in ordered if g not in embeddings]  # an embedding comes first
        layers: list[tuple[LayerSpec, Group]] = []
        self.phrase_groups = ordered
        following = self._each_followed_by(ordered)
        if self._repeat_mentions():
            ordered = self._repeat_blocks(ordered, x)
            following = {}
            if ordered is None:
                return [], input_shape, input_kind
        for g in ordered:
            if any(g in after for after in following.values()):
                continue  # expanded after each layer of the group it follows
            expanded = self._expand(g, phrases, x)
            if g.start in following and len(expanded) > 1:
                extra = [self._expand(f, phrases, x) for f in following[g.start]]
                for item in expanded:  # "three convolutions, each followed by 2x2 max pooling"
                    layers.append(item)
                    for more in extra:
                        layers += more
            else:
                layers += expanded
                for f in following.get(g.start, []):
                    layers += self._expand(f, phrases, x)
        if not layers and not x.missing and not self.read.code.layers:
            single = self._single_layer_model(output_values)
            if single is not None:   # "a perceptron with 7 inputs", "logistic regression on 100 features"
                units, note = single
                layers += self._expand(Group(10**9, 10**9, kind="Dense", role="output", count=1, sizes=[units]), phrases, x)
                x.assumptions.append(note)
        if not layers and not x.missing:
            x.missing.append("the layers of the network (their kinds and sizes)")
        return layers, input_shape, input_kind

    def _single_layer_model(self, outputs: list[int]) -> tuple[int, str] | None:
        """A model that is one layer of weighted sums: a perceptron, logistic or linear regression
        (grammars/vocab.toml single_layer_models): one unit, or one per output or class it names."""
        text = self.read.reading.doc.text.lower()
        for name in vocab()["single_layer_models"]:
            if re.search(rf"(?<![\w-]){re.escape(name)}s?\b", text) and not re.search(
                    rf"(?:multi|multi-|multi )layer(?:ed)? {re.escape(name)}", text):
                units = outputs[0] if len(outputs) == 1 else 1 if not outputs else None
                if units is None:
                    return None
                return units, (f"a {name} is one layer of weighted sums: {units} output unit{'s' if units > 1 else ''}"
                               f"{'' if outputs else ' (none is named)'}, each with one weight per input and a bias")
        return None

    def _repeat_blocks(self, ordered: list[Group], x: Extraction) -> list[Group] | None:
        """Repeated blocks written once: "three conv blocks, each a 3x3 conv followed by 2x2 max
        pooling, with 32, 64 and 128 filters", "(conv 3x3, 32 filters, max pool) repeated 3
        times", "a second block of the same four layers with 64 filters". The block's layers are
        copied; a list of as many filter counts as copies gives each copy's convolutions theirs.
        None (and ``x.missing`` says why) when the block cannot be delimited."""
        doc, sentence_of = self.read.reading.doc, self.read.reading.sentence_of
        breaks = {"then", ";", "finally", "afterwards", "next"}
        out = list(ordered)
        for m in self._repeat_mentions():
            words = [t.lower_ for t in doc[m.start:m.end]]
            same = "same" in words
            if not same and not isinstance(m.value, int) and words[-1] == "of":
                continue  # "a second block of ...": the marker before "the same four layers"
            if same:  # "a second block of the same four layers": the last N layers, once more
                n = next((v for v in (number(t.text) for t in doc[m.start:m.end]) if isinstance(v, int)), None)
                before = [g for g in out if g.end <= m.start]
                if not n or len(before) < n:
                    n = len([g for g in before if sentence_of[g.start] == sentence_of[m.start]]) or None
                if not n:
                    break
                block, copies, where = before[-n:], 1, m.end
                region = (m.end, self._block_end(m.end, breaks))
            elif words[-1] in ("times", "time"):  # "... repeated 3 times": the layers before, in its clause
                start = m.start
                while start > 0 and sentence_of[start - 1] == sentence_of[m.start] and \
                        doc[start - 1].lower_ not in breaks and doc[start - 1].text not in (":",):
                    start -= 1
                block = [g for g in out if start <= g.start and g.end <= m.start]
                copies, where, region = m.value, m.start, (start, m.end)
                if block:
                    out = [g for g in out if g not in block]
                    where = None
            else:  # "three conv blocks, each ...": the layers after, up to "then" or the sentence's end
                end = self._block_end(m.end, breaks)
                block = [g for g in out if m.end <= g.start and g.end <= end]
                copies, where, region = m.value, None, (m.end, end)
                out = [g for g in out if g not in block]
            if not block or not isinstance(copies, int) or not 1 <= copies <= 64:
                x.missing.append("each layer of the repeated block listed one by one, e.g. 'conv 3x3 with 16 "
                                 "filters -> max pool 2x2 -> conv 3x3 with 32 filters ...'")
                return None
            filters = self._filter_list(block, region, copies if not same else 1)
            clones = []
            for copy in range(copies):
                for g in block:
                    clone = Group(g.start, g.end, kind=g.kind, role=g.role, count=g.count, sizes=list(g.sizes),
                                  each=g.each, plural=g.plural, bare=g.bare, bidirectional=g.bidirectional,
                                  text=g.text, attrs=dict(g.attrs))
                    if filters is not None and clone.kind in CONV_KINDS:
                        clone.attrs.pop("filters", None)
                        clone.sizes = [filters[copy]]
                    elif filters is not None and clone.kind in POOL_KINDS | {"BatchNormalization", "Dropout"}:
                        clone.sizes = []
                    clones.append(clone)
            x.assumptions.append(f"the block of {len(block)} layer{'s' if len(block) > 1 else ''} "
                                 f"({', '.join(KIND_NAMES.get(g.kind, g.kind or 'dense') for g in block)}) is "
                                 f"counted {copies + (1 if same or where is not None else 0)} times")
            if where is None:
                at = next((k for k, g in enumerate(out) if g.start >= region[0]), len(out))
                out[at:at] = clones
            else:
                at = next((k for k, g in enumerate(out) if g.start >= where), len(out))
                out[at:at] = clones
        return out

    def _repeat_mentions(self) -> list[Mention]:
        """REPEAT mentions, and "4 identical blocks" (read as transformer blocks where the
        question is about a transformer) in a network of other layers."""
        return [m for m in self.read.reading.mentions if m.label == "REPEAT" or m.label == "TF" and m.id == "layers"
                and isinstance(m.value, int) and m.text.lower().split()[-1] in ("blocks", "stages")]

    def _block_end(self, start: int, breaks: set[str]) -> int:
        doc, sentence_of = self.read.reading.doc, self.read.reading.sentence_of
        k = start
        while k < len(doc) and sentence_of[k] == sentence_of[start] and doc[k].lower_ not in breaks:
            k += 1
        return k

    def _filter_list(self, block: list[Group], region: tuple[int, int], copies: int) -> list[int] | None:
        """Each copy's filter count when the block's region lists one per copy ("with 16, 32 and 64
        filters", "the blocks have 32, 64 and 128 filters"); None otherwise."""
        for g in block:
            if g.kind in CONV_KINDS | POOL_KINDS | {"BatchNormalization"} and len(g.sizes) == copies > 1:
                return list(g.sizes)
        doc, sentence_of = self.read.reading.doc, self.read.reading.sentence_of
        last = region[1]  # to the end of the sentence: "...; the blocks have 32, 64 and 128 filters."
        while last < len(doc) and sentence_of[last] == sentence_of[max(region[1] - 1, 0)]:
            last += 1
        for m in self.read.mentions("CONV"):
            if m.id != "filters" or not region[0] <= m.start < last or not isinstance(m.value, int):
                continue
            values, k = [m.value], m.start - 1
            while k > 0 and doc[k].lower_ in (",", "and") and isinstance(number(doc[k - 1].text), int):
                values.insert(0, number(doc[k - 1].text))
                k -= 2
            if len(values) == copies:
                return values
        return None

    def _one_filter(self) -> bool:
        """The question names its convolution's filter in the singular and never counts filters."""
        v, words = vocab(), docwords.lower(self.read.reading.doc)
        if any(m.id == "filters" for m in self.read.mentions("CONV")) or self.read.mentions("UNITS"):
            return False
        singular = any(w in v["filter_singular"] and any(d in v["filter_singular_determiners"]
                                                         for d in words[max(i - 2, 0):i])
                       and not any(t.isdigit() for t in words[max(i - 2, 0):i])  # "a 64-filter conv"
                       for i, w in enumerate(words))
        return singular and not any(w in v["filter_plural"] for w in words)

    def _stacked_layers(self, group: Group) -> list[int]:
        """ "An RNN has input size 8, hidden size 16, 2 layers": a count of layers outside any layer phrase,
        in a question whose only layer is one recurrent layer, is how many of it are stacked."""
        doc = self.read.reading.doc
        for t in doc:
            if (t.like_num and t.i + 1 < len(doc) and doc[t.i + 1].lower_ == "layers" and not group.start <= t.i < group.end
                    and t.i not in self.read.reading.covered and (t.i == 0 or doc[t.i - 1].lower_ not in ("of", "the"))):
                n = int(t.text) if t.text.isdecimal() else None
                return [n] if n and 1 < n <= 16 else []
        return []

    def _without_subject_references(self, groups: list[Group]) -> list[Group]:
        """"The first layer is followed by a 2x2 max pooling layer. The max pooling layer is followed by
        another convolutional layer": a layer named again with "the" as the subject of "is followed by"
        is the one already described, not one more."""
        doc, v = self.read.reading.doc, vocab()
        ordinals, definite, links = v["ordinals"], set(v["reference_determiners"]), set(v["chain_verbs"])
        out: list[Group] = []
        words = docwords.lower(doc)
        for g in groups:
            before = words[g.start - 1] if g.start > 0 else ""
            first = words[g.start]
            after = words[g.end:g.end + 3]
            named = first in definite or before in definite or (  # "The second convolutional layer"
                before in ordinals and g.start > 1 and words[g.start - 2] in definite)
            subject = any(w in links for w in after)
            ordinal = next((ordinals[w] for w in words[max(g.start - 1, 0):g.end] if w in ordinals), None)
            earlier = [h for h in out if (h.kind == g.kind or g.kind is None) and h.kind is not None]
            if named and subject and not g.sizes and not g.attrs and not g.code and (g.count or 1) == 1 and (
                    (ordinal is not None and 0 < ordinal <= len([h for h in out if h.kind or h.sizes]))
                    or (ordinal is None and earlier)):
                continue
            out.append(g)
        return out

    def _completed_later(self, groups: list[Group], consumed: set[int]) -> list[Group]:
        """"A GRU layer reads 12 features per step. The GRU has 24 units", "... The convolution uses 8
        filters of 3x3": a layer introduced without its size and named again with "the" in a later
        sentence is one layer; the later mention's size and settings (its clause's attributes, read
        before this) complete the earlier one, and a size said after it goes to the earlier one."""
        doc, definite = self.read.reading.doc, set(vocab()["reference_determiners"])
        out: list[Group] = []
        for g in groups:
            first = doc[g.start].lower_ if g.start < len(doc) else ""
            before = doc[g.start - 1].lower_ if 0 < g.start < len(doc) else ""
            earlier = next((h for h in reversed(out) if h.kind is not None and _family(h.kind) == _family(g.kind)), None)
            if (g.kind and (first in definite or before in definite) and (g.sizes or g.attrs or g.bare) and not g.code
                    and earlier is not None and not earlier.sizes and not earlier.code and (earlier.count or 1) == 1
                    and (g.count or 1) == 1 and g.start < len(doc) and earlier.start < len(doc)
                    and self.read.reading.sentence_of[earlier.start] < self.read.reading.sentence_of[g.start]
                    and not any(h.kind == g.kind for h in out if h is not earlier)):
                earlier.sizes = list(g.sizes)
                for key, m in g.attrs.items():
                    earlier.attrs.setdefault(key, m)
                consumed.update(range(g.start, g.end))   # its words and size are the earlier layer's now
                continue
            out.append(g)
        return out

    def _same_as_before(self, groups: list[Group]) -> None:
        """"another convolutional layer with the same parameters as the first", "a max pooling layer of the
        same parameters": the layer takes the settings of the one before it of its family."""
        doc, words = self.read.reading.doc, vocab()["same_settings"]
        for k, g in enumerate(groups):
            if g.kind not in CONV_KINDS | POOL_KINDS or g.code:
                continue
            clause = doc[g.start:min(g.end + 8, len(doc))]
            tokens = [t.lower_ for t in clause]
            if "same" not in tokens or not any(w in words for w in tokens[tokens.index("same"):][:3]):
                continue
            family = CONV_KINDS if g.kind in CONV_KINDS else POOL_KINDS
            before = next((h for h in reversed(groups[:k]) if h.kind in family), None)
            if before is None:
                continue
            for key, m in before.attrs.items():
                g.attrs.setdefault(key, m)
            if not g.sizes and before.sizes:
                g.sizes = list(before.sizes[-1:])

    def _square_window(self) -> bool:
        """A 2-D window is named ("16 filters of size 5x5", "pool 2x2"): an "AxB" input is an image, not
        A steps of B channels."""
        return any(m.id in ("kernel", "pool") and isinstance(m.value, tuple) and len(m.value) == 2
                   for m in self.read.mentions("CONV"))

    def _convolved(self) -> bool:
        """A convolution is named (a kernel or a conv word) and no embedding is."""
        return (any(m.id == "kernel" for m in self.read.mentions("CONV")) or any(
            m.id == "Conv" for m in self.read.mentions("KIND"))) and not any(
            m.id == "Embedding" for m in self.read.mentions("KIND")) and not any(
            m.id != "table" for m in self.read.mentions("EMBED"))

    def _matrix_inputs(self) -> list[Mention]:
        """"A matrix of size 4x4 is convolved with a 3x3 filter": with a convolution and no embedding
        named, a matrix of a given size is the input (one channel), not an embedding table."""
        nouns = vocab()["matrix_nouns"]
        if not self._convolved():
            return []
        return [Mention("INPUT", "image", m.start, m.end, m.value + (1,), m.text) for m in self.read.mentions("EMBED")
                if isinstance(m.value, tuple) and len(m.value) == 2
                and any(t.lower_ in nouns for t in self.read.reading.doc[max(m.start - 1, 0):m.end + 1])]

    def _implied_convolutions(self, groups: list[Group]) -> list[Group]:
        """'96 filters of 11x11, stride 4; 3x3 max pooling; 256 filters of 5x5 ...': a phrase with a filter
        count and a kernel but no conv word is a convolution (one per such phrase)."""
        doc = self.read.reading.doc
        stops = {",", ";", "->", "then", "followed", ".", ":"}

        def phrase(i: int) -> tuple[int, int]:
            a = i
            while a > 0 and doc[a - 1].lower_ not in stops:
                a -= 1
            b = i
            while b < len(doc) and doc[b].lower_ not in stops:
                b += 1
            return a, b

        conv = [m for m in self.read.mentions("CONV") if m.id in ("filters", "kernel")]
        out = list(groups)
        for m in conv:
            if m.id != "filters" or not isinstance(m.value, int):
                continue
            a, b = phrase(m.start)
            sentence = self.read.reading.sentence_of[m.start]
            in_sentence = [k for k in conv if self.read.reading.sentence_of[k.start] == sentence]
            has_kernel = any(k.id == "kernel" and a <= k.start < b for k in conv) or (
                # "filter 3x3x3, two filters, stride 2": one filter count and one kernel in the sentence
                sum(k.id == "kernel" for k in in_sentence) == 1 and sum(k.id == "filters" for k in in_sentence) == 1
                and not any(g.kind in CONV_KINDS | POOL_KINDS and self.read.reading.sentence_of[g.start] == sentence for g in out))
            before = [g for g in out if g.end <= m.start
                      and self.read.reading.sentence_of[g.start] == self.read.reading.sentence_of[m.start]]
            if not before:  # "The input to a conv layer is 5x5x3. It has 2 filters of 3x3": the same layer
                before = [g for g in out if g.end <= m.start][-1:]
            gap = before[-1].end if before else m.start
            own = any(f.id == "filters" and gap <= f.start < m.start for f in conv) or any(
                doc[i].lower_ in ("then", "->", "followed", ";") for i in range(gap, m.start))
            covered = any(g.kind in CONV_KINDS and g.start < b and g.end > a for g in out) or (
                bool(before) and before[-1].kind in CONV_KINDS and not own)  # "two conv layers, each with 32 filters"
            if has_kernel and not covered:
                at = next((k for k, g in enumerate(out) if g.start > m.start), len(out))
                out.insert(at, Group(m.start, m.start, kind="Conv", count=1, text="(convolution)"))
        kernels = [m for m in conv if m.id == "kernel"]
        if kernels and not any(g.kind in CONV_KINDS | POOL_KINDS for g in out) and self._one_filter():
            # "a kernel/filter of size 5x5 with a stride of 1": one filter slid over the input
            at = next((k for k, g in enumerate(out) if g.start > kernels[0].start), len(out))
            out.insert(at, Group(kernels[0].start, kernels[0].start, kind="Conv", count=1, text="(convolution)"))
        return out

    def _no_bias(self, g: Group) -> bool:
        """Whether a "no bias" remark covers this layer: "... the output neuron has no bias" only the
        output layer, "the hidden layers have no biases" only the hidden ones, otherwise every layer."""
        doc = self.read.reading.doc
        for m in self.read.mentions("NOBIAS"):
            before = {t.lower_ for t in doc[max(m.start - 5, 0):m.start]
                      if self.read.reading.sentence_of[t.i] == self.read.reading.sentence_of[m.start]}
            if before & {"output", "last", "final"}:
                if g.role == "output":
                    return True
            elif before & {"hidden"}:
                if g.role != "output":
                    return True
            else:
                return True
        return False

    def _other_tables(self, g: Group, vocab_size: int) -> list[int] | None:
        """More tables one embedding phrase names: the other vocabulary sizes of its sentence when it
        is the sentence's only embedding phrase and the text says so ("another", "two tables", "each");
        None when several sizes stand there with no such word (the question is asked back)."""
        sentence = self.read.reading.sentence_of[g.start]
        vocabs = list(dict.fromkeys(m.value for m in self.read.mentions("EMBED") if m.id == "vocab"
                                    and isinstance(m.value, int) and self.read.reading.sentence_of[m.start] == sentence))
        alone = sum(1 for h in self.phrase_groups if h.kind == "Embedding" and not h.code
                    and self.read.reading.sentence_of[h.start] == sentence) == 1
        if len(vocabs) < 2 or vocab_size not in vocabs or not alone:
            return []
        words = {t.lower_ for t in self.read.reading.doc if self.read.reading.sentence_of[t.i] == sentence}
        if words & {"another", "two", "both", "separate", "tables", "second"} or (g.count or 1) == len(vocabs):
            return [v for v in vocabs if v != vocab_size]
        return None

    def _about_positions(self, m: Mention) -> bool:
        return about_positions(self.read.reading.doc, m)

    def _context_layers(self, groups: list[Group]) -> tuple[list[Group], tuple | None]:
        """'a batch norm layer after a conv layer with 64 filters': the second layer only says what
        the first one receives (64 channels); it is not counted."""
        doc = self.read.reading.doc
        asked = self.asked
        keep, context = [], None
        for k, g in enumerate(groups):
            before = [doc[i].lower_ for i in range(max(g.start - 4, 0), g.start)]
            trigger = any(w in ("after", "following", "behind", "follows", "follow") for w in before[-2:]) or \
                before[-3:-1] == ["output", "of"] or before[-2:] == ["output", "of"]
            if not trigger or g.code:
                keep.append(g)
                continue
            earlier = [h for h in groups[:k] if self.read.reading.sentence_of[h.start] == self.read.reading.sentence_of[g.start]]
            # "A batch norm layer follows a dense layer of 128 units.": a norm after a layer only tells its width
            norm_only = earlier and all(h.kind in ("BatchNormalization", "LayerNormalization") for h in earlier)
            if earlier and (self.read.reading.sentence_of[g.start] == asked or norm_only):
                width = g.attrs["filters"].value if "filters" in g.attrs else (g.sizes[-1] if g.sizes else None)
                if isinstance(width, int):
                    context = (None, None, width) if g.kind in CONV_KINDS else (width,)
                    continue
            keep.append(g)
        return keep, context

    def _on_top_of(self, ordered: list[Group]) -> list[Group]:
        """'Dense(1) is added on top of Flatten()': the layer named second comes first."""
        doc = self.read.reading.doc
        out = list(ordered)
        for k in range(len(out) - 1):
            a, b = out[k], out[k + 1]
            words = [t.lower_ for t in doc[a.end:b.start]]
            between = " ".join(words)
            tail = " ".join(w for w in words[-6:] if w not in ("the", "a", "an", "its", "this", "keras", "pytorch",
                                                               "tensorflow", "torch"))
            if (tail.endswith("on top of") or tail.endswith("stacked on")) and "->" not in between:
                out[k], out[k + 1] = b, a
        return out

    def _each_followed_by(self, ordered: list[Group]) -> dict[int, list[Group]]:
        """Groups that 'each followed by ...' attaches after every layer of a preceding group."""
        doc = self.read.reading.doc
        out: dict[int, list[Group]] = {}
        for k, g in enumerate(ordered):
            for i in range(g.end, min(g.end + 12, len(doc) - 2)):
                if doc[i].lower_ == "each" and doc[i + 1].lower_ == "followed" and doc[i + 2].lower_ == "by":
                    start = i + 3
                    tail = [h for h in ordered[k + 1:] if h.start >= start and not h.code and h.kind in (
                        "MaxPool", "AvgPool", "BatchNormalization", "Dropout", "Activation", "LayerNormalization")]
                    chain = []
                    for h in tail:  # "each followed by batch norm and 2x2 max pooling"
                        if h.start - (chain[-1].end if chain else start) <= 3:
                            chain.append(h)
                    if chain:
                        out[g.start] = chain
                    break
                if self.read.reading.covered.get(i) is not None and self.read.reading.covered[i].label == "KIND":
                    break
        return out

    def _apply_blanket_statements(self, groups: list[Group]) -> list[Group]:
        """'All convolutions are 3x3 with same padding': settings for every layer of that kind."""
        doc = self.read.reading.doc
        out = []
        for g in groups:
            before = doc[g.start - 1].lower_ if g.start > 0 else ""
            unsized_plural = (g.kind in CONV_KINDS | POOL_KINDS and g.count is None and not g.sizes and not g.code and doc[g.end - 1].lower_.endswith("s")
                              and any(o is not g and _family(o.kind) == _family(g.kind) and (o.sizes or o.count)
                                      for o in groups))  # "conv 64, conv 64, maxpool ... (pools 2x2 stride 2)"
            if (before in ("all", "every", "each") or unsized_plural) and not g.sizes and not g.code and \
                    doc[g.start].lower_ not in ("a", "an", "one"):  # not "blocks, each a 3x3 conv ..."
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
                    and self.read.reading.sentence_of[g.start] == self.read.reading.sentence_of[last.start]
                    and not ({"vocab", "table", "positions"} & set(g.attrs)
                             and {"vocab", "table", "positions"} & set(last.attrs))):
                last.sizes = last.sizes or g.sizes
                for key, m in g.attrs.items():
                    last.attrs.setdefault(key, m)
                continue
            out.append(g)
        return out

    def _in_chain(self, g: Group) -> bool:
        doc = self.read.reading.doc
        before = doc[g.start - 1].text if g.start > 0 else ""
        after = doc[g.end].text if g.end < len(doc) else ""
        return before == "->" or after == "->"

    def _prose_shape(self, m: Mention) -> tuple:
        """An input mention's shape, with the channels an image's words give ("RGB" → 3)."""
        value = m.value if isinstance(m.value, tuple) else (m.value,)
        if m.id in ("image", "frames", "features", "shape") and len(value) == 2 and (
                m.id in ("image", "frames") or value[1] != 1 and value[0] != 1):
            words = vocab()["channel_words"]
            channels = [int(c.id) for c in self.read.mentions("CHANNELS")] + [
                words[t.lower_] for t in self.read.reading.doc if t.lower_ in words]
            if channels:
                value = value + (channels[0],)
        if len(value) == 2 and any(w in vocab()["matrix_nouns"] for w in m.text.lower().split()) \
                and self._convolved():
            value = value + (1,)  # "a 6x6 matrix is convolved with a 3x3 kernel": one channel
        if m.id == "frames":
            frames = self.read.reading.doc[m.start].text
            if frames.isdecimal():
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
        joiners = ("from", "produced", "by", "given", "computed", "via", "through", "using", "with", "of", "a", "an",
                   "value", "number", "prediction")
        return len(gap) <= 2 and all(self.read.reading.doc[i].text in "(),:-" for i in gap) or (
            len(gap) <= 3 and all(self.read.reading.doc[i].lower_ in joiners for i in gap))  # "a scalar from a dense layer"

    def _ordinal_references(self, hidden: list[Group], phrases: Phrases) -> list[Group]:
        """"2 hidden layers ... The first hidden layer has 1000 activations. The second hidden layer has 10":
        the layers named by ordinal after a group of as many layers are that group's layers, one by one."""
        doc, v = self.read.reading.doc, vocab()
        ordinals, definite = v["ordinals"], v["reference_determiners"]
        merged: list[Group] = []
        for g in list(hidden):
            n = g.count or 1
            if g.sizes or g.code or g not in hidden:
                continue
            later = [h for h in hidden if h.start > g.start][:n]

            def names(h: Group, k: int) -> bool:
                before = [t.lower_ for t in doc[max(h.start - 2, 0):h.start + 1]]
                return any(ordinals.get(w) == k + 1 for w in before) if n > 1 else \
                    any(w in definite for w in before)   # "one hidden layer ... the hidden layer has 4 neurons"
            named = [h for k, h in enumerate(later) if len(h.sizes) == 1 and (h.count or 1) == 1 and not h.code
                     and (h.kind == g.kind or h.kind is None) and h.role in (g.role, None)
                     and (n > 1 or h.role == g.role and g.role in ("hidden", "output")) and names(h, k)]
            if n > 1 and len(named) < n and len(named) == len([h for h in later if names(h, later.index(h))]):
                # "The first hidden layer has 4 neurons and the second 3 neurons": a size after an ordinal
                sizes = {k: h.sizes[0] for k, h in enumerate(later) if h in named}
                taken: list[int] = []
                for i in range(g.end, len(doc) - 1):
                    words = [t.lower_ for t in doc[max(i - 2, 0):i]]
                    k = next((ordinals[w] - 1 for w in words if w in ordinals), None)
                    if k is not None and 0 <= k < n and k not in sizes and doc[i].text.isdecimal() \
                            and doc[i + 1].lower_ in v["unit_nouns"] and i not in phrases.consumed:
                        sizes[k] = int(doc[i].text)
                        taken.append(i)
                if sorted(sizes) == list(range(n)):
                    g.sizes = [sizes[k] for k in range(n)]
                    phrases.consumed.update(taken)
                    for h in named:
                        hidden.remove(h)
                        merged.append(h)
                    merged += [Group(i, i + 2, kind=None, count=1, sizes=[sizes[k]]) for k, i in
                               zip([k for k in sizes if k not in {later.index(h) for h in named}], taken)]
                    continue
            if len(named) == n:
                g.sizes = [h.sizes[0] for h in named]
                for h in named:
                    hidden.remove(h)
                    merged.append(h)
                    phrases.consumed.update(m.start for m in self.read.mentions("UNITS") if h.start <= m.start < h.end)
        return merged

    def _standalone_units(self, hidden: list[Group], phrases: Phrases, others: list[Group] = ()) -> None:
        doc, v = self.read.reading.doc, vocab()
        merged = self._ordinal_references(hidden, phrases)
        used = {i for g in hidden + merged for i in range(g.start, g.end)}
        for g in hidden:  # "two dense layers: the first has 64 units ..., the second has 10 units"
            if g.sizes or not g.count or g.count < 2 or g.code:
                continue
            found = [i for i in range(g.end, len(doc) - 1)
                     if self.read.reading.sentence_of[i] == self.read.reading.sentence_of[g.start]
                     and doc[i].text.isdecimal() and self.read.reading.covered.get(i) is None
                     and doc[i + 1].lower_ in v["unit_nouns"] and self.read.reading.covered.get(i + 1) is None]
            if len(found) == g.count:
                g.sizes = [int(doc[i].text) for i in found]
                used.update(i for k in found for i in (k, k + 1))
        for m in self.read.mentions("UNITS"):
            if m.start in phrases.consumed or not isinstance(m.value, int):
                continue
            # "two hidden layers. The first has 1000 activations, the second 10": a group of several
            # layers takes each size said after it until it has one per layer
            placed = next((g for g in hidden if g.start >= m.end and not g.sizes), None) if m.id == "placed" else None
            target = placed or next((g for g in reversed(hidden) if (g.count or 1) > len(g.sizes) >= 1
                                     and g.start < m.start and not g.code), None) \
                or next((g for g in reversed(hidden) if not g.sizes and g.start < m.start), None) \
                or next((g for g in hidden if not g.sizes), None)
            if target is not None:
                target.sizes = target.sizes + [m.value] if target.sizes and (target.count or 1) > len(target.sizes) \
                    else [m.value]
            else:
                group = Group(m.start, m.end, kind=None, role="hidden", count=1, sizes=[m.value])
                position = next((k for k, g in enumerate(hidden) if g.start > m.start), len(hidden))
                hidden.insert(position, group)
            phrases.consumed.add(m.start)
        for i, token in enumerate(doc):
            if self.arch_mode or self.read.code.layers:
                break  # with an architecture string or code, a bare "8 units" only restates it
            if i in used or i in phrases.consumed or self.read.reading.covered.get(i) is not None:
                continue
            value = token.text
            if not value.isdecimal():
                continue
            if doc[i - 1].text == "->" if i else False:
                if i + 1 >= len(doc) or doc[i + 1].text in ("->", ".", ",", "?", ";"):
                    group = Group(i, i + 1, kind=None, role="hidden", count=1, sizes=[int(value)])
                    position = next((k for k, g in enumerate(hidden) if g.start > i), len(hidden))
                    hidden.insert(position, group)  # "50 inputs -> 32 -> 32 -> 5 outputs"
                    continue
            j = i + 1
            role = None
            if self.read.reading.covered.get(j) and self.read.reading.covered[j].label == "ROLE":
                role = self.read.reading.covered[j].id
                j = self.read.reading.covered[j].end
            if j >= len(doc) or doc[j].lower_ not in v["unit_nouns"] or self.read.reading.covered.get(j):
                continue
            if doc[j].lower_ in ("features", "outputs", "dimensions", "dims", "dim", "activations"):
                continue
            size = int(value)
            sentence = self.read.reading.sentence_of[i]
            last = max((g for g in list(hidden) + list(others) if g.start < i
                        and self.read.reading.sentence_of[min(g.start, len(doc) - 1)] == sentence),
                       key=lambda g: g.start, default=None)
            if last is not None and last.sizes == [size]:
                continue  # "an output layer that has just 1 unit": the size that layer already took
            target = next((g for g in reversed(hidden) if not g.sizes and not g.code
                           and self.read.reading.sentence_of[min(g.start, len(doc) - 1)] == sentence), None)
            opening = next(t for t in doc if self.read.reading.sentence_of[t.i] == sentence)
            if target is None and opening.lower_ in v["layer_pronouns"]:
                # "Why does my GRU layer show 7,872 parameters? It has 32 units": the layer the pronoun stands for
                target = next((g for g in reversed(hidden) if not g.sizes and not g.code and g.start < i), None)
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
        if kind == "Neuron":  # "a single neuron with 5 inputs": one dense unit
            kind, g.sizes = "Dense", g.sizes or [1]
        kind = kind or (phrases.network_kind if phrases.network_kind in ("SimpleRNN", "LSTM", "GRU", "Dense")
                        and g.role != "output" else None) or "Dense"
        name = KIND_NAMES.get(kind, kind)
        role = f"{g.role} " if g.role in ("hidden", "output") else ""
        if kind in STRUCTURAL_KINDS:
            return self._expand_structural(g, kind, name, x)
        if not g.sizes and kind == "Dense" and x.quantity == "dense_input":
            g.sizes = [1]  # what the dense layer takes is asked, not its size: the layer is cut off below
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
        if count > MAX_LAYERS:  # bounded before anything is expanded: "10^12 dense layers"
            many = f"{count:,}" if count < 10**15 else shown(count)
            x.missing.append(f"a network of at most {MAX_LAYERS:,} layers (the question describes "
                             f"{many} {name} layers; nlqa reads at most {MAX_LAYERS:,})")
            return []
        if len(g.sizes) == 1:
            sizes = g.sizes * count
        elif len(g.sizes) == count:
            sizes = g.sizes
        else:
            x.missing.append(f"the sizes of the {count} {role}{name} layers (the question lists "
                             + ", ".join(str(s) for s in g.sizes) + ")")
            return []
        bidir = g.bidirectional or bool(self.read.mentions("BIDIR")) and kind in ("SimpleRNN", "LSTM", "GRU") \
            and g.role != "output"
        nobias = self._no_bias(g)
        out = []
        for size in sizes:
            out.append((LayerSpec(kind, size, bias=not nobias, bidirectional=bidir,
                                  return_sequences=True if kind in ("SimpleRNN", "LSTM", "GRU")
                                  and self.read.mentions("SEQUENCES") else None,
                                  name=f"{role}{name} layer".strip()), g))
        return out

    def _expand_structural(self, g: Group, kind: str, name: str, x: Extraction):
        """Convolution, pooling, normalisation, embedding and shape layers from their attributes."""
        a = {key: m.value for key, m in g.attrs.items()}
        fields: dict[str, Any] = {}
        if kind in CONV_KINDS and len(g.sizes) > 1:
            out = []
            for size in g.sizes:  # "three 3x3 conv layers with 32, 64 and 64 filters"
                single = Group(g.start, g.end, kind=g.kind, count=1, sizes=[size], attrs=dict(g.attrs))
                single.attrs.pop("filters", None)
                out += self._expand_structural(single, kind, name, x)
            return out
        if kind in CONV_KINDS and isinstance(a.get("kernel"), tuple) and len(a["kernel"]) == 3 and kind == "Conv":
            a["kernel"], self.kernel_channels = a["kernel"][:2], a["kernel"][2]  # "filters of size 5x5x3"
        if kind in CONV_KINDS:
            filters = a.get("filters") or (g.sizes[0] if len(g.sizes) == 1 else None)
            stated = [m.value for m in self.read.mentions("OUTSHAPE") if isinstance(m.value, tuple) and len(m.value) >= 2
                      and isinstance(m.value[-1], int)]
            if kind != "DepthwiseConv2D" and not isinstance(filters, int) and len(set(stated)) == 1:
                filters = stated[0][-1]  # "outputs a tensor of shape 32x32x64": as many filters as output channels
                x.assumptions.append(f"{filters} filters: the output the question states, "
                                     f"{'×'.join(map(str, stated[0]))}, has {filters} channels")
            if kind != "DepthwiseConv2D" and not isinstance(filters, int) and self._one_filter():
                filters = 1
                x.assumptions.append("one filter: the question speaks of a single filter (kernel)")
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
            dim = (a.get("dim") or a.get("width") or table[1] or (g.sizes[0] if len(g.sizes) == 1 else None)
                   or self.embedding_dim)
            if not isinstance(vocab_size, int):
                x.missing.append("the vocabulary size of the embedding (how many words or tokens)")
                return []
            if not isinstance(dim, int):
                x.missing.append("the dimension of the embedding vectors")
                return []
            tables = self._other_tables(g, vocab_size)
            if tables is None:
                x.missing.append("which vocabulary the embedding table has (the question gives several)")
                return []
            if tables:  # "an embedding for each of the 6,040 users and another for each of the 3,706 movies"
                x.assumptions.append("one embedding table per vocabulary named: " + ", ".join(
                    f"{v:,} × {dim:,}" for v in [vocab_size] + tables))
                return [(LayerSpec("Embedding", dim, vocab=v, name=f"{name} layer"), g) for v in [vocab_size] + tables]
            extra = sum(1 if m.id == "extra_token" else m.value for m in self.read.mentions("EMBED")
                        if m.id == "extra_token" or m.id == "extra_tokens" and isinstance(m.value, int))
            if extra:  # "7,999 words plus one padding token": a row each
                x.assumptions.append(f"the table has {vocab_size:,} + {extra} rows: the extra tokens get embeddings too")
                vocab_size += extra
            fields.update(vocab=vocab_size, units=dim)
            if any(not self._about_positions(m) for m in self.read.mentions("FROZEN")):
                fields["trainable"] = False
                x.assumptions.append("the embedding is frozen: its table counts as non-trainable")
        if self._no_bias(g) and kind in CONV_KINDS:
            fields["bias"] = False
        count = g.count or 1
        return [(LayerSpec(kind, name=f"{name} layer", **{k: v for k, v in fields.items() if v is not None}), g)
                for _ in range(count)]



def about_positions(doc, m: Mention) -> bool:
    """'sinusoidal (fixed) positional encodings': the word describes the positions, not the table."""
    return any(t.lower_.startswith(("position", "sinusoid", "encoding")) for t in doc[m.end:m.end + 3])


def input_channels(mentions: list[Mention]) -> list[Mention]:
    """'an input image of 64x64 with 3 channels': the channels of the input, not a conv's filters."""
    out = list(mentions)
    for k, m in enumerate(out):
        if m.label == "CONV" and m.id == "filters" and "channel" in m.text.lower() and k > 0 \
                and m.text.lower().split()[0] in ("with", "having", "and") \
                and out[k - 1].label == "INPUT" and m.start - out[k - 1].end <= 1 \
                and isinstance(m.value, int):
            out[k] = Mention("CHANNELS", str(m.value), m.start, m.end, m.value, m.text)
    return out
