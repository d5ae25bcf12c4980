"""Ordered layers → a NetworkSpec: input shapes, kinds resolved by rank, conventions, references."""

from __future__ import annotations

from ...core.conventions import convention
from ...core.validate import shape_literal
from ...core.spec import LayerSpec, NetworkSpec
from ...resources import load_toml
from ..prose.attributes import CONV_KINDS, POOL_KINDS
from ..extraction import Alternative, Extraction
from .assemble import Assembly
from ..code.layout import sample_rank, torch_channels_first
from ..prose.kinds import GENERIC_KINDS, KIND_NAMES, PARAMETER_FREE, SPATIAL_KINDS, _family, _kind_matches
from ..question.between import pair_index
from ..prose.mentions import vocab
from .transformers import BLOCK_KINDS


class SpecBuilder:
    """The spec stage: an :class:`~nlqa.reader.assembly.assemble.Assembly` → a NetworkSpec (input shapes, kinds
    resolved by rank, the conventions said), or None with what is missing written to the Extraction."""

    def __init__(self, assembly: Assembly, fw: str):
        self.read = assembly.read
        self.assembly = assembly
        self.fw = fw
        self.kernel_channels = assembly.kernel_channels

    def build(self, x: Extraction) -> NetworkSpec | None:
        a = self.assembly
        return self._build(a.layers, a.input_shape, a.input_kind, x)

    def _build(self, layers, input_shape, input_kind, x: Extraction) -> NetworkSpec | None:
        specs = [spec for spec, _ in layers]
        flags = [m.id == "reset_after_true" for m in self.read.mentions("GRUFLAG")]
        if flags:   # "a Keras GRU with units=10 ... and reset_after=False": the prose sets the GRU's flag
            specs = [s.with_(reset_after=flags[0]) if s.kind == "GRU" and s.reset_after is None else s for s in specs]
            layers = [(s, g) for s, (_, g) in zip(specs, layers)]
        first_code = next((g.code for _, g in layers[:1] if g.code), None)
        if input_shape is None and first_code is not None and first_code.input_shape is not None:
            input_shape, input_kind = first_code.input_shape, "code"
        if specs and specs[0].kind == "Embedding" and input_kind not in ("code", "keras_shape") \
                and not (input_kind in ("shape", "tensor") and input_shape and len(input_shape) == 1):
            lengths = [m.value for m in self.read.mentions("EMBED") if m.id == "length" and isinstance(m.value, int)]
            lengths += [m.value for m in self.read.mentions("TIMESTEPS") if isinstance(m.value, int)]
            input_shape, input_kind = ((lengths[0],) if lengths else (None,)), "tokens"
        if input_shape is None:
            channels = [m.value for m in self.read.mentions("CONV") if m.id == "in_channels" and isinstance(m.value, int)]
            if channels and specs and specs[0].kind in CONV_KINDS | POOL_KINDS | {"BatchNormalization", "LayerNormalization"}:
                dims = {"Conv1D": 1, "Conv3D": 3}.get(specs[0].kind, 2)
                input_shape, input_kind = (None,) * dims + (channels[0],), "channels"
        if input_shape is None and specs and specs[0].kind in BLOCK_KINDS:
            width = specs[0].units or next((m.value for m in self.read.mentions("TF") if m.id == "width"
                                            and isinstance(m.value, int)), None)
            if width:
                input_shape, input_kind = (None, width), "code"  # attention over a sequence of width d
        if input_shape is None and specs and specs[0].kind in ("LayerNormalization", "BatchNormalization"):
            widths = [m.value for m in self.read.mentions("UNITS", "TF", "EMBED") if isinstance(m.value, int)
                      and (m.label == "UNITS" or m.id in ("width", "width_loose", "dim"))]
            if widths:  # "a LayerNorm over a hidden size of 512"
                input_shape, input_kind = (widths[0],), "features"
        if input_shape is None and specs and specs[0].kind in CONV_KINDS and self.kernel_channels:
            input_shape, input_kind = (None, None, self.kernel_channels), "channels"  # a 5x5x3 kernel sees 3 channels
        elif self.kernel_channels and input_shape and len(input_shape) == 3 and input_shape[-1] not in (
                None, self.kernel_channels) and specs and specs[0].kind in CONV_KINDS:
            # "a 3x3x64 conv on a 56x56x32 input": a third side that is not the input's depth is no kernel depth
            # (it may be the filter count): asked back rather than dropped
            x.missing.append(f"what the third side of the {'x'.join(map(str, (*specs[0].kernel, self.kernel_channels)))} "
                             f"kernel is: the input has {input_shape[-1]} channels, so it is not the kernel's depth "
                             "(if it is the number of filters, say '... filters of size ...')")
            x.understood = self._understood(specs, input_shape)
            return None
        if input_shape is None and specs and specs[0].kind in CONV_KINDS:
            words = vocab()["channel_words"]
            channels = [int(c.id) for c in self.read.mentions("CHANNELS")] + [
                words[t.lower_] for t in self.read.reading.doc if t.lower_ in words]
            if channels:
                dims = {"Conv1D": 1, "Conv3D": 3}.get(specs[0].kind, 2)
                input_shape, input_kind = (None,) * dims + (channels[0],), "channels"  # "on RGB input"
        if input_shape is None and specs and specs[0].kind not in ("Embedding",) and any(
                t.lower_ == "onehot" for t in self.read.reading.doc):
            vocab_sizes = [m.value for m in self.read.mentions("EMBED") if m.id == "vocab" and isinstance(m.value, int)]
            if vocab_sizes:
                input_shape, input_kind = (vocab_sizes[0],), "features"  # one-hot vectors over the vocabulary
                x.assumptions.append(f"one-hot inputs: {vocab_sizes[0]:,} features (the vocabulary size)")
        if (input_shape is None or input_kind == "channels") and specs:
            named = self._dataset_shape()   # "a CNN for MNIST": the dataset's images, also when only
            if named is not None and (input_shape is None or named[0][-1] == input_shape[-1]  # the channels are said
                                      and len(named[0]) == len(input_shape)):
                (input_shape, input_kind), note = named[:2], named[2]
                x.assumptions.append(note)
        if input_shape is None and specs and all(s.kind in PARAMETER_FREE | {"Parameter"} for s in specs) \
                and any(s.kind == "Parameter" for s in specs):
            input_shape, input_kind = (None, None, 1), "code"   # a raw tensor is counted by its own shape
        if input_shape is None and specs and all(s.kind in PARAMETER_FREE for s in specs):
            input_shape, input_kind = (None, None, 1), "code"
            if not any(s.use_scale for s in specs):  # Keras Attention(use_scale=True) learns one scale
                x.assumptions.append(f"a {KIND_NAMES.get(specs[0].kind, specs[0].kind)} layer has no parameters "
                                     "whatever its input")
        if input_shape is None and specs and specs[0].kind == "Flatten":
            first = next((s for s in specs if s.kind not in PARAMETER_FREE), None)
            if first is not None and first.in_features:  # nn.Flatten(), nn.Linear(28*28, 512): 784 values
                input_shape, input_kind = (first.in_features,), "code"
                x.assumptions.append(f"the input size is not given: the first layer after the Flatten takes "
                                     f"{first.in_features:,} values, so that is what each input flattens to")
        if input_shape is None and x.quantity == "biases" and specs:
            input_shape = (1,)
            x.assumptions.append("the input size is not given, but it does not change the number of "
                                 "biases (the steps show i = 1)")
        if input_shape is None:
            first = specs[0] if specs else None
            what = KIND_NAMES.get(first.kind, first.kind) if first else "first"
            named = f"; the code's {self.read.code.unknown_inputs[0]} is a name the question never gives" \
                if self.read.code.unknown_inputs else ""
            unit = "channels" if first is not None and first.kind in CONV_KINDS else "features"
            x.missing.append(f"the size of the input (how many {unit} go into the first {what} layer{named})")
            x.understood = self._understood(specs, None)
            return None
        if any(side is not None and (not isinstance(side, int) or side <= 0) for side in input_shape):
            shown = tuple(s if isinstance(s, int) or s is None else "?" for s in input_shape)
            x.missing.append(f"a positive whole-number input size (the question gives {shape_literal(shown)})")
            return None
        if any(s.units is not None and s.units <= 0 for s in specs):
            x.missing.append("a positive size for every layer")
            return None
        recurrent = any(s.kind in ("SimpleRNN", "LSTM", "GRU") for s in specs)
        shape = tuple(input_shape)
        rank = self._sample_rank(specs[0]) if specs else None
        if rank is None and specs and specs[0].kind in GENERIC_KINDS and len(shape) == 4 and shape[0] == 1:
            rank = 3  # "(1, 16, 16, 4)" into a pooling layer: one 16×16 image of 4 channels, not a volume 1 deep
        if rank is not None and len(shape) == rank + 1 and input_kind not in ("code", "tensor", "keras_shape") \
                and (shape[0] in (1, None) or any(t.lower_ in ("batch", "batches") for t in self.read.reading.doc)):
            # "an input tensor of shape (1, 10, 10, 1)" for a 2-D pooling layer: the first axis is the batch
            x.assumptions.append(f"input {shape_literal(shape)} read as a batch of "
                                 f"{shape[0] if shape[0] is not None else 'any number of'} samples of "
                                 f"{shape_literal(shape[1:])}")
            shape = shape[1:]
            if self.fw == "pytorch" and specs[0].kind in torch_channels_first() and len(shape) >= 3:
                x.assumptions.append(f"PyTorch writes a batch (N, C, H, W): {shape_literal(shape)} is read "
                                     f"channels last, as {shape_literal(shape[1:] + shape[:1])}")
                shape = shape[1:] + shape[:1]
        if specs and specs[0].kind == "Conv1D" and len(shape) == 2 and shape[0] is None:
            steps = [m.value for m in self.read.mentions("TIMESTEPS") if isinstance(m.value, int)]
            shape = (steps[0], shape[1]) if steps else shape  # "a sequence of 1000 samples (1 channel)"
        alternatives = []
        if input_kind in ("shape", "features") and len(shape) == 2:
            if shape[1] == 1 or shape[0] == 1:
                n = shape[0] if shape[1] == 1 else shape[1]
                x.assumptions.append(f"input {shape_literal(shape)} read as {n} features"
                                     + (" at each time step" if recurrent else ""))
                if recurrent and shape[1] == 1 and shape[0] > 1:
                    alternatives.append((f"{shape_literal(shape)} read as {shape[0]} time steps of 1 feature "
                                         f"(Keras input_shape={shape_literal(shape)})", shape))
                shape = (n,)
            elif recurrent:
                x.assumptions.append(f"input {shape_literal(shape)} read as {shape[0]} time steps of "
                                     f"{shape[1]} features")
        elif input_kind == "image" and len(shape) == 2:
            words = vocab()["channel_words"]
            channels = [m.id for m in self.read.mentions("CHANNELS")] + [
                words[t.lower_] for t in self.read.reading.doc if t.lower_ in words]
            channels = channels or [m.value for m in self.read.mentions("CONV")  # "64 input channels ... on a 56×56
                                    if m.id == "in_channels" and isinstance(m.value, int)]  # map": its channels
            shape = shape + (int(channels[0]),) if channels else shape
            if not channels and specs and specs[0].kind in ("Conv", "Conv2D", "SeparableConv2D", "Conv2DTranspose"):
                if x.quantity not in ("output_shape", "dense_input"):
                    x.missing.append(f"how many channels the {shape[0]}×{shape[1]} image has (1 for grayscale, "
                                     "3 for RGB): the first convolution's weights depend on it")
                    return None
                shape = shape + (1,)  # a convolution's output channels are its filters, whatever it reads
                x.assumptions.append(f"the image's channels are not given: read as {shape_literal(shape)}; the "
                                     "first convolution's output has its filters as channels, whatever the input's")
            elif not channels and specs and specs[0].kind in ("MaxPool", "AvgPool") and x.quantity == "output_shape":
                shape = shape + (1,)  # pooling keeps the channels: a 16×16 input without them is one channel
                x.assumptions.append(f"the input's channels are not given: read as {shape_literal(shape)} (one "
                                     "channel); pooling keeps however many channels there are")
        elif input_kind in ("keras_shape", "code") and recurrent and len(shape) == 2:
            steps = "an unknown number of" if shape[0] is None else str(shape[0])
            source = f"Keras input_shape={shape_literal(shape)}: " if self.fw == "keras" else "input: "
            x.assumptions.append(f"{source}{steps} time steps of {shape[1]} features")
        if specs and specs[0].kind in CONV_KINDS and len(shape) == 1:
            dims = {"Conv1D": 1, "Conv3D": 3}.get(specs[0].kind, 2)
            steps = [m.value for m in self.read.mentions("TIMESTEPS") if isinstance(m.value, int)]
            shape = ((steps[0],) if dims == 1 and steps else (None,) * dims) + shape
        if recurrent and len(shape) == 1 and specs[0].kind in ("SimpleRNN", "LSTM", "GRU"):
            steps = [m.value for m in self.read.mentions("TIMESTEPS") if isinstance(m.value, int)]
            if steps:
                shape = (steps[0],) + shape
        if specs and specs[0].kind == "Dense" and len(shape) > 1 and input_kind in ("image", "shape", "features") \
                and id(specs[0]) in {id(spec) for spec, g in layers if g.code is None}:
            size = 1
            for side in shape:
                size *= side if side else 1
            specs.insert(0, LayerSpec("Flatten", implicit=True, name="flatten (implied)"))
            x.assumptions.append(f"the {shape_literal(shape)} input is flattened to {size:,} values before "
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

    @staticmethod
    def _sample_rank(spec: LayerSpec) -> int | None:
        """How many axes one sample has for this layer: fixed by its kind (Conv2D: 3), else by the
        sides of a generic conv or pooling layer's window ("a 3x3 kernel": a 2-D layer, 3 axes)."""
        rank = sample_rank(spec.kind)
        if rank is None and spec.kind in GENERIC_KINDS:
            window = spec.kernel if spec.kind == "Conv" else spec.pool
            if isinstance(window, tuple) and len(window) >= 2:
                rank = len(window) + 1
        return rank

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
                previous = next((o for o in reversed(out) if o.kind not in (  # a norm keeps a conv's rank
                    "Dropout", "Activation", "BatchNormalization", "LayerNormalization")), None)
                if previous is not None and (previous.kind in SPATIAL_KINDS or previous.kind == "Embedding"):
                    out.append(LayerSpec("Flatten", implicit=True, name="flatten (implied)"))
                    x.assumptions.append(f"the output of the {KIND_NAMES.get(previous.kind, previous.kind)} "
                                         "layer is flattened before the dense layer (an implied Flatten)")
            if spec.kind == "Embedding" or spec.kind in ("SimpleRNN", "LSTM", "GRU") and spec.return_sequences:
                rank = 1  # a sequence of vectors: pooling over it is 1-D
            elif spec.kind in ("Flatten", "Dense") or spec.kind.startswith("Global"):
                rank = 0
            out.append(spec)
        return out

    def _dataset_shape(self) -> tuple[tuple, str, str] | None:
        """'MNIST' → (28, 28, 1): a dataset named in the question gives its input shape (with the
        assumption that says so)."""
        table = load_toml("datasets.toml")["datasets"]
        for token in self.read.reading.doc:
            shape = table.get(token.lower_)
            if shape:
                return tuple(shape), "image", (f"{token.text} inputs are {'×'.join(map(str, shape))} (height × "
                                               "width × channels)")
        return None

    def _convention_notes(self, spec: NetworkSpec, x: Extraction) -> None:
        kinds = {layer.kind for layer in spec.layers}
        if any(layer.bias for layer in spec.layers) and not self.read.mentions("NOBIAS") and not self.read.code.layers:
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
        if "BatchNormalization" in kinds and convention(self.fw).batchnorm_statistics == "buffers":
            x.assumptions.append("PyTorch BatchNorm: γ and β are parameters (2C); the running mean and variance "
                                 "are buffers (register_buffer), which parameters() does not return")
        ff_default = [layer for layer in spec.layers if layer.kind in BLOCK_KINDS[1:] and layer.ff == 2048
                      and self.read.code.layers and layer.units and layer.units * 4 != 2048]
        if ff_default:
            x.assumptions.append("PyTorch's dim_feedforward default: 2048, whatever d_model is")
            x.alternatives.append(Alternative(f"feed-forward width 4 × d_model = {4 * ff_default[0].units:,}",
                                              spec.with_(layers=[layer.with_(ff=4 * layer.units)
                                                                 if layer.kind in BLOCK_KINDS[1:] else layer
                                                                 for layer in spec.layers])))
        if self.assembly.binary_alternative:
            last = spec.layers[-1]
            x.alternatives.append(Alternative("softmax over 2 classes (two output units)",
                                              spec.with_(layers=list(spec.layers[:-1]) + [last.with_(units=2)])))

    def _understood(self, specs: list[LayerSpec], shape) -> list[str]:
        out = []
        if shape is not None:
            out.append(f"input {shape_literal(shape)}")
        for s in specs:
            if s.units:
                extra = " bidirectional" if s.bidirectional else ""
                out.append(f"{KIND_NAMES.get(s.kind, s.kind)}{extra} layer of {s.units} "
                           f"unit{'s' if s.units != 1 else ''}")
            else:
                out.append(f"{KIND_NAMES.get(s.kind, s.kind)} layer")
        return out



def resolve_reference(ref: dict, spec: NetworkSpec, code_layers=(), arch_mode: bool = False) -> int | None:
    """The place (1-based, as listed) in ``spec`` of the layer ``ref`` names, or None when no single layer
    matches; ``code_layers`` are the layers the pasted code made, ``arch_mode`` whether the layers came
    from a size list (its last size is the output)."""
    listed = [l for l in spec.layers if not l.implicit]
    if "name" in ref:   # a name of the code: its place among the code's layers, if they are all the network's
        same = len(listed) == sum(1 for c in code_layers if not c.spec.implicit)
        return ref["index"] if "index" in ref and same and 1 <= ref["index"] <= len(listed) else None
    if "index" in ref:
        return ref["index"] if 1 <= ref["index"] <= len(listed) else None
    if "pair" in ref or "pair_of" in ref:   # "the weights between the input and hidden layer"
        return pair_index(lambda side: resolve_reference(side, spec, code_layers, arch_mode), ref)
    if "unknown" in ref:   # "the next layer", "the projection layer": asked back
        return None
    candidates = list(range(1, len(listed) + 1))
    role, kind, ordinal = ref.get("role"), ref.get("kind"), ref.get("ordinal")
    if role == "output" and not ordinal:
        has_output = listed[-1].name.startswith("output") or code_layers or arch_mode
        return len(listed) if has_output else None
    if role == "hidden":
        candidates = candidates[:-1]
    if ref.get("kind_part"):
        candidates = [i for i in candidates if ref["kind_part"] in listed[i - 1].kind]
    if kind:
        matching = [i for i in candidates if _kind_matches(kind, listed[i - 1].kind)]
        if not matching and ref.get("word") in vocab()["family_words"]:
            # "the recurrent layer" of an LSTM network: the word names the family, not SimpleRNN
            matching = [i for i in candidates if _family(listed[i - 1].kind) == _family(kind)]
        candidates = matching
    if not candidates:
        return None
    if ordinal == "middle":   # "the middle layer": the one in the middle of an odd number
        return candidates[len(candidates) // 2] if len(candidates) % 2 == 1 else None
    if ordinal:
        if ordinal < 0:   # "the last", "the penultimate layer"
            return candidates[ordinal] if -ordinal <= len(candidates) else None
        return candidates[ordinal - 1] if ordinal <= len(candidates) else None
    if len(candidates) == 1 or kind:
        return candidates[0]
    return None

