"""A question → an Extraction: the stages in order, each returning its own data.

:func:`~nlqa.reader.read.read_question` (clean-up, code, prose) → :class:`~nlqa.reader.question.asked.QuestionReader`
(what is asked: a Request) → :class:`~nlqa.reader.prose.groups.PhraseFinder` (layer phrases) →
:class:`~nlqa.reader.assembly.assemble.Assembler` (ordered layers: an Assembly) → :class:`~nlqa.reader.assembly.build.SpecBuilder`
(the NetworkSpec) → the quantity asked of it. A pasted summary table is read apart from the prose and code
(:mod:`nlqa.reader.pasted`); several things asked at once are parts (:mod:`nlqa.reader.question.parts`)."""

from __future__ import annotations

from dataclasses import replace

from ..core.spec import LayerSpec
from .question.asked import QuestionReader, Request, said_by_code
from .assembly.assemble import Assembler
from .assembly.build import SpecBuilder, resolve_reference
from .code.notation import MAX_LAYERS
from .assembly.constraints import frozen_after
from .extraction import Alternative, Extraction  # noqa: F401  (re-exported)
from .prose.groups import PhraseFinder
from .prose.kinds import UNSUPPORTED_NAMES
from .question.layerquantities import GATE_QUANTITIES, NEURON_QUANTITIES, gate_asked, matrix_asked, neurons_asked  # noqa: E501
from .prose.mentions import Mention, vocab
from .prose.modelnames import NameReading, asks, read_names
from .assembly.namedmodel import family_only, named_model, unknown_model
from .question.operations import OPERATIONS
from .question.operations import request as operations_request
from .question.parts import parts_asked
from .pasted import consult_tables, disagrees, quoted_layer
from .read import Read, read_question
from .code.reprs import as_code
from .code.summary import read_tables, without_tables
from .assembly.transformers import BLOCK_KINDS
from .assembly.transformers import build as build_transformer
from .assembly.transformers import lora_request, superseded
from .cleanup.variants import variant_spans


def read_network(read: Read) -> tuple[Extraction, Request]:
    """The question asked, then the network it describes (its layers assembled, then its spec built),
    or what is missing, in an Extraction; with the Request the question stage read."""
    q = QuestionReader(read)
    request = q.request()
    return _network(read, q, request), request


def _network(read: Read, q: QuestionReader, request: Request) -> Extraction:
    x = Extraction(read.written)
    if read.layout_note:
        x.assumptions.append(read.layout_note)
    x.mentions = [(m.label, m.id, m.text) for m in read.reading.mentions]
    loose_weights = request.loose_weights
    unsupported = sorted({m.id for m in read.mentions("KIND") if m.id.startswith("?")}
                         | set(read.code.unsupported))
    asked, quantity = request.sentence, request.quantity
    if quantity in OPERATIONS:  # MACs/FLOPs: which first, and the sequence length, time step, batch
        x.operations = operations_request(read.reading.doc, read.mentions("QUANTITY"), asked,
                                          read.reading.sentence_of, read.question)
        quantity = (x.operations["asked"] or [quantity])[0]
    ref, ref_tokens = request.ref, set(request.ref_tokens)
    phrases = PhraseFinder(read.reading, read.code.layers, ref_tokens, asked).find()
    if len(phrases.groups) > MAX_LAYERS:  # the same bound as for code; it keeps every later step fast
        x.status, x.quantity = "needs_clarification", quantity
        x.missing.append(f"a network of at most {MAX_LAYERS:,} layers (the question describes "
                         f"{len(phrases.groups):,}; nlqa reads at most {MAX_LAYERS:,})")
        return x
    has_network = bool(phrases.groups or phrases.architectures or read.code.layers
                       or phrases.network_kind or read.mentions("INPUT", "UNITS")
                       or any(m.id in ("kernel", "filters") for m in read.mentions("CONV")))
    if read.code.problems:
        x.status = "unsupported"
        x.quantity = quantity
        calls = [p for p in read.code.problems if p.endswith("(...)")]
        x.reason = ("nlqa could not read " + "; ".join(read.code.problems[:3])
                    + ("; write the layer out as a plain call, e.g. 'nn.Embedding(30000, 300)'." if calls else "."))
        return x
    if read.code.frozen_pretrained:  # a frozen pretrained table adds no trainable parameters
        if quantity != "trainable_parameters":
            x.status, x.quantity = "unsupported", quantity
            x.reason = (f"nlqa could not read {read.code.frozen_pretrained[0]}; write the layer out as a plain "
                        "call, e.g. 'nn.Embedding(30000, 300)' (the trainable count needs no size: it is frozen).")
            return x
        x.assumptions.append(f"{read.code.frozen_pretrained[0]} is frozen (freeze=True): it adds no trainable "
                             "parameters, so its size is not needed")
    if read.code.unknown_args:
        x.status = "needs_clarification"
        x.quantity = quantity
        x.missing.extend(read.code.unknown_args[:3])
        return x
    offtopic = q.offtopic(asked)
    if quantity is None and not offtopic and read.mentions("PARAMCOUNT") and any(
            m.id == "explanation" for m in read.mentions("OFFTOPIC")):
        quantity = "total_parameters"   # "Why is the total 101,770?": the count quoted is what is explained
    names = None if read.code.layers else read_names(read.question)
    if names is not None and read.mentions("MODEL"):  # BERT, GPT-2, ViT: read by the transformer presets
        preset_ids = {m.id for m in read.mentions("MODEL")}
        others = [n for n in names.named if n.id not in preset_ids]
        names = NameReading(named=others + [n for n in names.named if n.id in preset_ids]) if others else None
    if names is not None and names.named and not asks(read.question, "lora") and any(
            not any(m.text.lower() in n.text.lower() for n in names.named) for m in read.mentions("KIND")):
        names = None  # a question that describes its layers ("LeNet-5: C1 is a conv layer..."): its own network
    if offtopic and names is not None and names.named and offtopic == vocab()["offtopic_reasons"]["explanation"]:
        offtopic, quantity = None, quantity or "total_parameters"  # "why does Llama-2-70B not reach 70B?"
    if offtopic:
        x.status = "unsupported"
        x.reason = (f"the question asks {offtopic}, not a count: nlqa answers parameter counts, output "
                    "shapes and memory sizes of a network the question describes or names.")
        return x
    memory = q.memory_request(x, quantity)
    if memory and any(read.sentence(m) == asked and not _excluded(read, m) for m in read.mentions("ACTIVATIONS")):
        x.status, x.quantity = "unsupported", memory
        x.reason = ("the question asks for the memory of activations (or feature maps), which depends on "
                    "the batch, the sequence and what the framework keeps for the backward pass; nlqa "
                    "answers the memory of the weights (and of gradients and optimizer state in training).")
        return x
    if memory and read.mentions("PARAMCOUNT"):
        names = None  # "the weights of ResNet-50 (25.6M parameters) in float32": the count the asker gives
    if names is not None and names.named:  # "ResNet-50", "Llama 2 7B": a model of the registry
        if memory is None and not read.mentions("QUANTITY") and asks(read.question, "memory_words"):
            memory = "memory_bytes"  # "How much GPU do I need to run LLaMA 7B?": the memory of its weights
            x.memory = {"dtype": next((m.id for m in read.mentions("DTYPE")), None), "unit": None}
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
        counts = [m.value for m in read.mentions("PARAMCOUNT") if isinstance(m.value, int) and m.value >= 1000]
        if counts and not (phrases.groups or read.code.layers):
            x.quantity, x.param_count = quantity, counts[0]
            if read.mentions("MODEL"):   # "BERT-base has 110M parameters. Its size in MB?": the count stated
                x.assumptions.append(f"the parameter count the question states ({counts[0]:,}) is used, not "
                                     "the exact count of the model it names")
            return x
    blocks = [m.id for m in read.mentions("KIND") if m.id in BLOCK_KINDS]
    layer_blocks = [b for b in blocks if b != "MultiHeadAttention"]
    for m in read.mentions("TF") if not layer_blocks and not read.mentions("MODEL") else []:
        # "6 transformer blocks" names the block too (but "a ViT with 4 transformer layers" gives its depth)
        text = m.text.lower()
        if m.id == "layers" and ("decoder" in text or "transformer" in text or "encoder" in text):
            blocks.append("TransformerDecoderLayer" if "decoder" in text else "TransformerEncoderLayer")
    if blocks and not read.mentions("MODEL") and "MultiHeadAttention" not in blocks and not any(
            m.id == "heads" for m in read.mentions("TF")) and not any(
            "transformer" in m.text.lower() for m in read.mentions("KIND", "TF")):
        blocks = []  # "encoder layers of 128 and 32 units" in an autoencoder: not a transformer
    if (read.mentions("MODEL") or blocks) and not read.code.layers:
        if quantity is None and not q.asks_size(asked):
            # "Which is better, BERT or GPT-2?", "How many layers does BERT-base have?": no count asked
            names = sorted({m.text for m in read.mentions("MODEL")}) or ["a transformer"]
            x.status = "unsupported"
            x.reason = (f"the question names {', '.join(names)} but asks for no quantity nlqa counts: it "
                        "answers its parameters ('How many parameters does BERT-base have?') or the memory "
                        "of its weights.")
            return x
        x.quantity = quantity or "total_parameters"
        fw = framework(read, x)
        excludes = read.mentions("EXCLUDE")
        excluded = {m.id for m in excludes if m.id != "final_norm_and"}
        if any(m.id == "final_norm_and" and any(0 <= m.start - e.end <= 1 for e in excludes if e is not m)
               for m in excludes):
            excluded.add("final_norm")  # "excluding the embeddings and the final LayerNorm"
        if "embeddings" in excluded and x.quantity == "total_parameters":
            x.quantity = "non_embedding_parameters"  # "excluding (the token and position) embeddings"
        excluded.discard("embeddings")
        nobias = bool(read.mentions("NOBIAS")) and not read.mentions("MODEL")  # a model's "no bias" is its head's
        spec, assumptions, missing = build_transformer(read.reading.mentions, blocks, excluded,
                                                       not nobias, fw, read.reading.doc)
        x.assumptions += assumptions
        if missing or spec is None:
            x.status, x.missing = "needs_clarification", missing or ["the model's configuration"]
            x.understood = [m.text for m in read.reading.mentions if m.label in ("MODEL", "TF", "KIND")]
            return x
        x.spec = spec
        x.understood = [layer.name for layer in spec.layers]
        x.superseded = superseded(read.reading.mentions, read.reading.doc)
        lora, rank_span, lora_missing, lora_notes = lora_request(read.question)
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
    fw = framework(read, x)
    if read.mentions("SHORTCUT") and not read.code.script:
        x.status = "needs_clarification"  # a prose residual block would be read as one chain: a wrong count
        x.missing.append("the block as Keras or PyTorch code (nlqa reads residual shortcuts from code, "
                         "not yet from prose)")
        return x
    x.assumptions += read.code.notes  # what reading a pasted script assumed
    assembly = Assembler(read, asked, fw).assemble(phrases, x)
    assembly = replace(assembly, layers=frozen_after(assembly.read, assembly.layers, x.assumptions))
    if x.missing:
        x.status = "needs_clarification"
        return x
    spec = SpecBuilder(assembly, fw).build(x)
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
        index = resolve_reference(ref, spec, read.code.layers, assembly.arch_mode)
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
        if ("pair" in ref or "pair_of" in ref) and loose_weights:
            # "how many weights connect the hidden layer to the output layer": the weights between
            # two layers, not the biases of the later one
            loose_weights, x.quantity = False, "weights"
        if "pair" in ref or "pair_of" in ref:
            x.assumptions.append(f"the weights between two adjacent layers are the incoming weights of the later "
                                 f"one, layer {index} (its biases connect it to no other layer)")
        if ref.get("note"):
            x.assumptions.append(ref["note"])   # which Keras naming a layer's name was read with
    gates = [m for m in read.mentions("GATE") if asked is None or read.sentence(m) == asked]
    reading = None
    if len(gates) == 1 and not gates[0].text.lower().endswith("gates") and x.quantity in GATE_QUANTITIES:
        # "how many weights are in the forget gate?" (one gate named; "the update gate, the reset gate
        # and the candidate" count them all)
        reading = gate_asked(spec, x.quantity, x.layer, gates[0], loose_weights)
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
    if x.quantity == "weights" and loose_weights:
        x.quantity = "total_parameters"
    if loose_weights and x.quantity in ("total_parameters", "trainable_parameters"):
        x.alternatives.append(Alternative("weights only, biases not counted", spec, "weights"))
    if x.quantity == "connections":
        x.alternatives.append(Alternative("connections counted with the bias connections", spec,
                                          "total_parameters"))
    return x


def _excluded(read: Read, m: Mention) -> bool:
    """'activations excluded', 'ignoring activations', 'not counting the activations'."""
    doc = read.reading.doc
    near = {t.lower_ for t in doc[max(m.start - 3, 0):m.start]} | {t.lower_ for t in doc[m.end:m.end + 2]}
    return bool(near & {"excluded", "excluding", "without", "ignoring", "ignored", "not", "no", "except",
                        "aside", "apart", "omitted", "omitting"})


def framework(read: Read, x: Extraction) -> str:
    """The framework whose conventions count: the option, else the code's, else the one named, else textbook."""
    named = [m.id for m in read.mentions("FRAMEWORK")]
    code = read.code.frameworks
    if read.framework:
        x.framework_source, fw = "option", read.framework
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
    return fw


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
        read = read_question(question, framework)
        x, request = read_network(read)
        x = quoted_layer(x, question)
    else:
        read = read_question(without_tables(code, tables), framework)
        x, request = read_network(read)
        x.question, x.table_lines = question, printed
        x = consult_tables(question, x, read, request.ref, tables) if tables else x
        if tables and x.status == "answered" and x.layer is None and read.mentions("QUANTITY") and all(
                said_by_code(read, m) for m in read.mentions("QUANTITY")) and disagrees(x.spec, tables):
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
        x.parts, x.parts_for = parts_asked(read, request, x), (x.quantity, x.layer)
    return x
