"""Mentions → a NetworkSpec, the quantity asked, and what the question leaves open."""

from __future__ import annotations

from .asked import QuestionMixin
from .assemble import AssemblyMixin
from .build import SpecMixin
from .code import MAX_LAYERS, CodeReading, read_code
from .extraction import Alternative, Extraction  # noqa: F401  (re-exported)
from .groups import PhraseFinder
from .kinds import UNSUPPORTED_NAMES
from .layout import channels_last
from .mentions import Mention, Reading, read, vocab
from .modelnames import NameReading, asks, read_names
from .namedmodel import family_only, named_model, unknown_model
from ..core.spec import LayerSpec
from .normalize import normalize
from .operations import OPERATIONS
from .operations import request as operations_request
from .relines import relined
from .variants import variant_spans, without_variants
from .source import blank_pipe_output
from .attach import attached
from .constraints import frozen_after
from .layerquantities import GATE_QUANTITIES, NEURON_QUANTITIES, gate_asked, matrix_asked, neurons_asked  # noqa: E501
from .parts import parts_asked
from .pasted import consult_tables, disagrees, quoted_layer
from .reprs import as_code
from .summary import read_tables, without_tables
from .transformers import BLOCK_KINDS
from .transformers import build as build_transformer
from .transformers import lora_request, superseded


class Extractor(QuestionMixin, AssemblyMixin, SpecMixin):
    arch_mode = False
    embedding_dim: int | None = None
    kernel_channels: int | None = None
    output_kind: str | None = None
    binary_alternative = False

    def __init__(self, question: str, framework: str | None = None):
        written = question
        question = relined(blank_pipe_output(without_variants(question)))   # a printed pipe table: no words of the question   # code pasted without its line breaks: one statement per line
        self.question = question
        self.override = framework
        self.code: CodeReading
        self.code, layout_note = channels_last(read_code(question), question)
        self.text = normalize(self.code.text)
        self.reading: Reading = attached(read(self.text))   # bare sizes moved to the noun they quantify
        self.x = Extraction(written)   # as asked (relining keeps every offset: the ledger reads either)
        if layout_note:
            self.x.assumptions.append(layout_note)
        self.x.mentions = [(m.label, m.id, m.text) for m in self.reading.mentions]

    # -- helpers ------------------------------------------------------------------------
    by_label: dict[str, list[Mention]] | None = None

    def mentions(self, *labels: str) -> list[Mention]:
        """The mentions with these labels, in text order (an index built once: layers ask often)."""
        if self.by_label is None:
            self.by_label = {}
            for m in self.reading.mentions:
                self.by_label.setdefault(m.label, []).append(m)
        if len(labels) == 1:
            return list(self.by_label.get(labels[0], ()))
        return [m for m in self.reading.mentions if m.label in labels]

    def sentence(self, m: Mention) -> int:
        return self.reading.sentence_of[m.start]

    # -- the question asked ---------------------------------------------------------------
    def run(self) -> Extraction:
        x = self.x
        self.loose_weights = False
        unsupported = sorted({m.id for m in self.mentions("KIND") if m.id.startswith("?")}
                             | set(self.code.unsupported))
        asked = self.asked_sentence()
        quantity, qmention = self.quantity(asked)
        if quantity in OPERATIONS:  # MACs/FLOPs: which first, and the sequence length, time step, batch
            x.operations = operations_request(self.reading.doc, self.mentions("QUANTITY"), asked,
                                              self.reading.sentence_of, self.question)
            quantity = (x.operations["asked"] or [quantity])[0]
        self.qmention = qmention
        ref, ref_tokens = self.reference(asked, qmention)
        self.asked_ref = ref
        phrases = PhraseFinder(self.reading, self.code.layers, ref_tokens, asked).find()
        if len(phrases.groups) > MAX_LAYERS:  # the same bound as for code; it keeps every later step fast
            x.status, x.quantity = "needs_clarification", quantity
            x.missing.append(f"a network of at most {MAX_LAYERS:,} layers (the question describes "
                             f"{len(phrases.groups):,}; nlqa reads at most {MAX_LAYERS:,})")
            return x
        has_network = bool(phrases.groups or phrases.architectures or self.code.layers
                           or phrases.network_kind or self.mentions("INPUT", "UNITS")
                           or any(m.id in ("kernel", "filters") for m in self.mentions("CONV")))
        if self.code.problems:
            x.status = "unsupported"
            x.quantity = quantity
            calls = [p for p in self.code.problems if p.endswith("(...)")]
            x.reason = ("nlqa could not read " + "; ".join(self.code.problems[:3])
                        + ("; write the layer out as a plain call, e.g. 'nn.Embedding(30000, 300)'." if calls else "."))
            return x
        if self.code.frozen_pretrained:  # a frozen pretrained table adds no trainable parameters
            if quantity != "trainable_parameters":
                x.status, x.quantity = "unsupported", quantity
                x.reason = (f"nlqa could not read {self.code.frozen_pretrained[0]}; write the layer out as a plain "
                            "call, e.g. 'nn.Embedding(30000, 300)' (the trainable count needs no size: it is frozen).")
                return x
            x.assumptions.append(f"{self.code.frozen_pretrained[0]} is frozen (freeze=True): it adds no trainable "
                                 "parameters, so its size is not needed")
        if self.code.unknown_args:
            x.status = "needs_clarification"
            x.quantity = quantity
            x.missing.extend(self.code.unknown_args[:3])
            return x
        offtopic = self.offtopic(asked)
        if quantity is None and not offtopic and self.mentions("PARAMCOUNT") and any(
                m.id == "explanation" for m in self.mentions("OFFTOPIC")):
            quantity = "total_parameters"   # "Why is the total 101,770?": the count quoted is what is explained
        names = None if self.code.layers else read_names(self.question)
        if names is not None and self.mentions("MODEL"):  # BERT, GPT-2, ViT: read by the transformer presets
            preset_ids = {m.id for m in self.mentions("MODEL")}
            others = [n for n in names.named if n.id not in preset_ids]
            names = NameReading(named=others + [n for n in names.named if n.id in preset_ids]) if others else None
        if names is not None and names.named and not asks(self.question, "lora") and any(
                not any(m.text.lower() in n.text.lower() for n in names.named) for m in self.mentions("KIND")):
            names = None  # a question that describes its layers ("LeNet-5: C1 is a conv layer..."): its own network
        if offtopic and names is not None and names.named and offtopic == vocab()["offtopic_reasons"]["explanation"]:
            offtopic, quantity = None, quantity or "total_parameters"  # "why does Llama-2-70B not reach 70B?"
        if offtopic:
            x.status = "unsupported"
            x.reason = (f"the question asks {offtopic}, not a count: nlqa answers parameter counts, output "
                        "shapes and memory sizes of a network the question describes or names.")
            return x
        memory = self.memory_request(x, quantity)
        if memory and any(self.sentence(m) == asked and not self._excluded(m) for m in self.mentions("ACTIVATIONS")):
            x.status, x.quantity = "unsupported", memory
            x.reason = ("the question asks for the memory of activations (or feature maps), which depends on "
                        "the batch, the sequence and what the framework keeps for the backward pass; nlqa "
                        "answers the memory of the weights (and of gradients and optimizer state in training).")
            return x
        if memory and self.mentions("PARAMCOUNT"):
            names = None  # "the weights of ResNet-50 (25.6M parameters) in float32": the count the asker gives
        if names is not None and names.named:  # "ResNet-50", "Llama 2 7B": a model of the registry
            if memory is None and not self.mentions("QUANTITY") and asks(self.question, "memory_words"):
                memory = "memory_bytes"  # "How much GPU do I need to run LLaMA 7B?": the memory of its weights
                x.memory = {"dtype": next((m.id for m in self.mentions("DTYPE")), None), "unit": None}
            named = named_model(x, names, quantity, memory)
            if named is not None:
                return named
            x.assumptions, x.number_spans = [], []  # the asker's own network after all: read as described
        if names is not None and names.unknown:  # "ResNet-51": refused, naming the closest known models
            return unknown_model(x, names)
        if names is not None and names.families and not has_network and (quantity or memory):
            return family_only(x, names, memory or quantity)  # "parameters of ResNet?": which one
        if memory:
            quantity = memory
            counts = [m.value for m in self.mentions("PARAMCOUNT") if isinstance(m.value, int) and m.value >= 1000]
            if counts and not (phrases.groups or self.code.layers):
                x.quantity, x.param_count = quantity, counts[0]
                if self.mentions("MODEL"):   # "BERT-base has 110M parameters. Its size in MB?": the count stated
                    x.assumptions.append(f"the parameter count the question states ({counts[0]:,}) is used, not "
                                         "the exact count of the model it names")
                return x
        blocks = [m.id for m in self.mentions("KIND") if m.id in BLOCK_KINDS]
        layer_blocks = [b for b in blocks if b != "MultiHeadAttention"]
        for m in self.mentions("TF") if not layer_blocks and not self.mentions("MODEL") else []:
            # "6 transformer blocks" names the block too (but "a ViT with 4 transformer layers" gives its depth)
            text = m.text.lower()
            if m.id == "layers" and ("decoder" in text or "transformer" in text or "encoder" in text):
                blocks.append("TransformerDecoderLayer" if "decoder" in text else "TransformerEncoderLayer")
        if blocks and not self.mentions("MODEL") and "MultiHeadAttention" not in blocks and not any(
                m.id == "heads" for m in self.mentions("TF")) and not any(
                "transformer" in m.text.lower() for m in self.mentions("KIND", "TF")):
            blocks = []  # "encoder layers of 128 and 32 units" in an autoencoder: not a transformer
        if (self.mentions("MODEL") or blocks) and not self.code.layers:
            if quantity is None and not self.asks_size(asked):
                # "Which is better, BERT or GPT-2?", "How many layers does BERT-base have?": no count asked
                names = sorted({m.text for m in self.mentions("MODEL")}) or ["a transformer"]
                x.status = "unsupported"
                x.reason = (f"the question names {', '.join(names)} but asks for no quantity nlqa counts: it "
                            "answers its parameters ('How many parameters does BERT-base have?') or the memory "
                            "of its weights.")
                return x
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
                x.understood = [m.text for m in self.reading.mentions if m.label in ("MODEL", "TF", "KIND")]
                return x
            x.spec = spec
            x.understood = [layer.name for layer in spec.layers]
            x.superseded = superseded(self.reading.mentions, self.reading.doc)
            lora, rank_span, lora_missing, lora_notes = lora_request(self.question)
            if lora or lora_missing:  # "the LoRA parameter count for GPT-2 medium ... rank=4 ... Q,V"
                x.quantity, x.assumptions = "lora_parameters", x.assumptions + lora_notes
                if lora_missing:
                    x.status, x.missing = "needs_clarification", lora_missing
                    return x
                x.memory["lora"] = lora
                x.number_spans.append((*rank_span, "lora_rank"))
                return x
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
        if self.mentions("SHORTCUT") and not self.code.script:
            x.status = "needs_clarification"  # a prose residual block would be read as one chain: a wrong count
            x.missing.append("the block as Keras or PyTorch code (nlqa reads residual shortcuts from code, "
                             "not yet from prose)")
            return x
        x.assumptions += self.code.notes  # what reading a pasted script assumed
        layers, input_shape, input_kind = self.assemble(phrases, x)
        layers = frozen_after(self, layers, x.assumptions)   # 'Embedding(5000, 64) ... is frozen'
        if x.missing:
            x.status = "needs_clarification"
            return x
        spec = self.build_spec(layers, input_shape, input_kind, x)
        if spec is None:
            x.status = "needs_clarification"
            return x
        x.spec = spec
        if x.quantity == "dense_input":
            cut = dense_input(spec, x)
            if cut is None:
                x.status = "needs_clarification"
                return x
            x.spec, x.quantity = cut, "output_shape"
        if x.quantity in ("recurrent_weights", "input_weights") and not any(
                layer.kind in ("SimpleRNN", "LSTM", "GRU") for layer in spec.layers):
            x.status = "needs_clarification"
            x.missing.append("which weights are meant (input-to-hidden and recurrent weights belong to "
                             "recurrent layers, and this network has none)")
            return x
        if ref is not None:
            index = self.resolve_reference(ref, spec)
            if index is None:
                x.missing.append(f"which layer {ref['name']} is (the code gives that name to no single layer "
                                 "of the model; name it by its position, e.g. 'the second layer')" if "name" in ref
                                 else ref.get("ask") or "which layer is meant (nlqa could not match the layer the "
                                 "question names)")
                x.status = "needs_clarification"
                return x
            if x.quantity in ("total_parameters", "trainable_parameters") and len(
                    [l for l in spec.layers if not l.implicit]) > 1:
                x.quantity = "layer_parameters"
            x.layer = index
            if ("pair" in ref or "pair_of" in ref) and self.loose_weights:
                # "how many weights connect the hidden layer to the output layer": the weights between
                # two layers, not the biases of the later one
                self.loose_weights, x.quantity = False, "weights"
            if "pair" in ref or "pair_of" in ref:
                x.assumptions.append(f"the weights between two adjacent layers are the incoming weights of the later "
                                     f"one, layer {index} (its biases connect it to no other layer)")
            if ref.get("note"):
                x.assumptions.append(ref["note"])   # which Keras naming a layer's name was read with
        gates = [m for m in self.mentions("GATE") if asked is None or self.sentence(m) == asked]
        reading = None
        if len(gates) == 1 and not gates[0].text.lower().endswith("gates") and x.quantity in GATE_QUANTITIES:
            # "how many weights are in the forget gate?" (one gate named; "the update gate, the reset gate
            # and the candidate" count them all)
            reading = gate_asked(spec, x.quantity, x.layer, gates[0], self.loose_weights)
        elif x.quantity in NEURON_QUANTITIES:   # "how many (hidden) neurons does it have?"
            reading = neurons_asked(spec, x.quantity, x.layer)
        elif x.quantity == "weight_shape":   # "the dimensions of W2": one part per weight matrix asked
            reading = matrix_asked(spec, x.layer)
        if reading is not None:
            if reading.missing:
                x.status = "needs_clarification"
                x.missing.append(reading.missing)
                return x
            x.quantity, x.layer = reading.quantity, reading.layer
            x.assumptions += reading.assumptions
            x.alternatives += reading.alternatives
            if reading.parts and not x.parts:
                x.parts, x.parts_for = list(reading.parts), (x.quantity, x.layer)
        if x.quantity == "weights" and self.loose_weights:
            x.quantity = "total_parameters"
        if self.loose_weights and x.quantity in ("total_parameters", "trainable_parameters"):
            x.alternatives.append(Alternative("weights only, biases not counted", spec, "weights"))
        if x.quantity == "connections":
            x.alternatives.append(Alternative("connections counted with the bias connections", spec,
                                              "total_parameters"))
        return x

    def _excluded(self, m: Mention) -> bool:
        """'activations excluded', 'ignoring activations', 'not counting the activations'."""
        doc = self.reading.doc
        near = {t.lower_ for t in doc[max(m.start - 3, 0):m.start]} | {t.lower_ for t in doc[m.end:m.end + 2]}
        return bool(near & {"excluded", "excluding", "without", "ignoring", "ignored", "not", "no", "except",
                            "aside", "apart", "omitted", "omitting"})

    def framework(self, x: Extraction) -> None:
        named = [m.id for m in self.mentions("FRAMEWORK")]
        code = self.code.frameworks
        if self.override:
            x.framework_source, fw = "option", self.override
            said = next((f for f in [*code, *named] if f != fw), None)
            if said is not None:             # `--framework pytorch` on a question that says "in Keras"
                x.assumptions.append(f"counted with {FRAMEWORK_NAMES.get(fw, fw)} conventions (--framework {fw}), "
                                     f"although the question is about {FRAMEWORK_NAMES.get(said, said)}")
        elif "pytorch" in code:
            x.framework_source, fw = "code", "pytorch"
        elif "keras" in code:
            x.framework_source, fw = "code", "keras"
        elif named:
            x.framework_source, fw = "text", named[0]
        else:
            x.framework_source, fw = "default", "textbook"
        self.fw = fw


FRAMEWORK_NAMES = {"keras": "Keras", "pytorch": "PyTorch", "textbook": "textbook"}


def dense_input(spec, x: Extraction):
    """"The input dimension of the fully connected layer", "the flattened vector size": the network up
    to the first dense layer, flattened (its output is what that layer takes); None when it has none."""
    first = next((i for i, layer in enumerate(spec.layers) if layer.kind == "Dense"), None)
    flatten = next((i for i, layer in enumerate(spec.layers) if layer.kind == "Flatten" and not layer.implicit), None)
    if first is None and flatten is not None:
        return spec.with_(layers=spec.layers[:flatten + 1])   # "the output shape of the Flatten layer"
    if first == 0:
        x.missing.append("which layer feeds the fully connected layer (the question names no layer before it)")
        return None
    before = [layer for layer in spec.layers[:first] if not (layer.kind == "Flatten" and layer.implicit)]
    if before and before[-1].kind == "Flatten":
        return spec.with_(layers=tuple(before))   # "... -> flatten -> dense": the written Flatten is the input
    x.assumptions.append("the fully connected layer takes the flattened output of the layer before it: "
                         "the answer is that output's size")
    return spec.with_(layers=tuple(before) + (LayerSpec("Flatten", name="flatten (before the dense layer)"),))


def extract(question: str, framework: str | None = None) -> Extraction:
    """Read ``question`` into an :class:`Extraction` (never raises on odd text). A pasted summary
    table is read apart from the prose and code (:mod:`nlqa.reader.pasted`)."""
    code, printed = as_code(question)
    tables = tuple(t for t in read_tables(code) if t.rows)
    if not tables and not printed:
        extractor = Extractor(question, framework)
        x = quoted_layer(extractor.run(), question)
    else:
        extractor = Extractor(without_tables(code, tables), framework)
        x = extractor.run()
        x.question, x.table_lines = question, printed
        x = consult_tables(question, x, extractor, tables) if tables else x
        if tables and x.status == "answered" and x.layer is None and extractor.mentions("QUANTITY") and all(
                extractor._said_by_code(m) for m in extractor.mentions("QUANTITY")) and disagrees(x.spec, tables):
            # only the code's summary() call "asks", its output is pasted, and the code read does not give the
            # rows the summary prints: which of the two the question doubts is open
            x.status, x.spec = "needs_clarification", None
            x.missing = ["what the question asks: the pasted summary prints counts the code, as nlqa reads it, "
                         "does not give, and no sentence names a layer, shape or count; name the one in doubt"]
    variants = variant_spans(question)
    if variants:   # "Also, what if I use padding of 1?": a variant, not the network's settings
        x.number_spans = list(x.number_spans) + [(a, b, "variant") for a, b in variants]
        if x.status == "answered":
            x.assumptions.append("the answer is for the network as first described; the 'what if' sentence asks "
                                 "about a variant (ask it on its own, or as a follow-up in nlqa chat)")
    if not (x.parts and x.parts_for == (x.quantity, x.layer)):   # parts the reading set itself (weight matrices)
        x.parts, x.parts_for = parts_asked(extractor, x), (x.quantity, x.layer)
    return x
