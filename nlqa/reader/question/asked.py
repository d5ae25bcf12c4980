"""What a question asks: the sentence, the quantity, a layer it names, memory."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..prose import docwords
from ..extraction import Extraction
from ..read import Read
from ..prose.mentions import Mention, vocab
from .between import between_reference
from .namedlayer import reference_in
from ..cleanup.typos import closest_kind


# the names Keras gives layers (model.summary()): "dense", "dense_1", "conv2d_2", ...
KERAS_NAMES = {"dense": "Dense", "conv1d": "Conv1D", "conv2d": "Conv2D", "conv3d": "Conv3D", "lstm": "LSTM",
               "gru": "GRU", "simple_rnn": "SimpleRNN", "embedding": "Embedding",
               "batch_normalization": "BatchNormalization", "layer_normalization": "LayerNormalization",
               "max_pooling2d": "MaxPool", "max_pooling1d": "MaxPool", "average_pooling2d": "AvgPool",
               }
KERAS_NAME = re.compile(r"^(" + "|".join(sorted(KERAS_NAMES, key=len, reverse=True)) + r")(?:_(\d+))?$")

# kinds whose name may stand for the whole network ("how many parameters does the LSTM have?")
NETWORK_NAMING_KINDS = {"Dense", "SimpleRNN", "LSTM", "GRU", "Neuron", "TransformerEncoderLayer",
                        "TransformerDecoderLayer"}


PART_MARK = re.compile(r"(?:^|\s)(?:\(?[a-dA-D]\)|\(?(?:i|ii|iii|iv)\)|[a-d]\.)\s+\S", re.MULTILINE)


DESIGN_QUANTITIES = ("neurons", "hidden_neurons")   # counts a design question asks advice about

SPECIFIC_QUANTITIES = ("recurrent_weights", "input_weights", "biases", "qkv_parameters")  # a count that names which weights


@dataclass(frozen=True)
class Request:
    """What the question asks: the sentence asking, the quantity and the mention that names it, whether
    "weights" was said loosely (it may mean every parameter), and a layer it names."""

    sentence: int | None
    quantity: str | None
    mention: Mention | None
    loose_weights: bool
    ref: dict[str, Any] | None
    ref_tokens: frozenset[int]


class QuestionReader:
    """The question-asked stage: it reads a :class:`Read` and returns a :class:`Request`; its other
    methods answer what the network's reading asks of the question (is it off-topic, is memory asked)."""

    def __init__(self, read: Read):
        self.read = read
        self.sentence_asked = self._find_asked_sentence()

    def request(self) -> Request:
        asked = self.sentence_asked
        quantity, mention, loose = self.quantity(asked)
        ref, tokens = self.reference(asked, mention)
        return Request(asked, quantity, mention, loose, ref, frozenset(tokens))

    def asked_sentence(self) -> int | None:
        """The sentence that asks the question."""
        return self.sentence_asked

    def _find_asked_sentence(self) -> int | None:
        doc, qwords = self.read.reading.doc, vocab()["question_words"]
        quantity_sentences = {self.read.sentence(m) for m in self.read.mentions("QUANTITY")}
        of = self.read.reading.sentence_of
        candidates = [of[i] for i, word in enumerate(docwords.lower(doc)) if word in qwords]
        preferred = [s for s in candidates if s in quantity_sentences]
        if preferred:
            # several parts asked ("a) What is the output size? b) How many parameters?"): the first part
            # asked is the answer's value (DESIGN: `value` is the first part)
            if self._enumerated_parts(preferred):
                return preferred[0]
            first = self._before_operations(preferred)
            return preferred[-1] if first is None else first
        if candidates:
            return candidates[-1]
        # no sentence asks: the prose's own words for the quantity ("the output dims aren't changing as
        # expected") before the sentence written for the code's summary() call, which prints both
        prose = {self.read.sentence(m) for m in self.read.mentions("QUANTITY") if not self._said_by_code(m)}
        return max(prose or quantity_sentences) if quantity_sentences else None

    def _before_operations(self, preferred: list[int]) -> int | None:
        """ "... how to measure the size of parameters? What's more, how to compute the FLOPs?": a question
        about FLOPs/MACs after another question about a count is a second question; the first is the value."""
        from .operations import OPERATIONS
        kinds: dict[int, set[str]] = {}
        for m in self.read.mentions("QUANTITY"):
            kinds.setdefault(self.read.sentence(m), set()).add("ops" if m.id in OPERATIONS else "count")
        last = preferred[-1]
        if kinds.get(last) != {"ops"}:
            return None
        doc, of = self.read.reading.doc, self.read.reading.sentence_of
        earlier = [s for s in dict.fromkeys(preferred) if s < last and "count" in kinds.get(s, set())
                   and doc[max(i for i in range(len(doc)) if of[i] == s)].text == "?"]
        return earlier[-1] if earlier else None

    def _enumerated_parts(self, sentences: list[int]) -> bool:
        """Whether the asking sentences are parts of one question ("a) ... b) ...", "(i) ... (ii) ...",
        rather than a story with its question last."""
        if len(sentences) < 2:
            return False
        return bool(PART_MARK.search(docwords.text(self.read.reading.doc)))

    def quantity(self, asked: int | None) -> tuple[str | None, Mention | None, bool]:
        """The quantity asked, the mention naming it, and whether "weights" was said loosely."""
        from .operations import OPERATIONS, in_code  # 'flops, params = profile(...)': a variable, not the ask
        quantities = [m for m in self.read.mentions("QUANTITY") if not (m.id in OPERATIONS and in_code(self.read.reading.doc, m))]
        quantities = quantities or [
            Mention("QUANTITY", "total_parameters", m.start, m.end, None, m.text) for m in self.read.mentions("PARAMCOUNT")]
        in_asked = [m for m in quantities if self.read.sentence(m) == asked]
        ops = [m for m in quantities if m.id in OPERATIONS]
        said = in_asked or quantities[-1:]
        if ops and said and all(self._said_by_code(m) for m in said):
            in_asked = ops  # "Torchinfo ... computing MACs" + summary(model): the MACs, not what the code prints
        doc = self.read.reading.doc
        if len(in_asked) > 1 and in_asked[0].start >= 2 and doc[in_asked[0].start - 2].lower_ == "of":
            in_asked = in_asked[1:]  # "how many of the parameters ... are biases?"
        cues = {"many", "number", "count", "total", "calculate", "compute", "what", "what's", "whats", "is", "are"}
        asked_for = [m for m in in_asked if any(  # "gates each with its own bias, how many parameters?"
            doc[i].lower_ in cues for i in range(max(m.start - 3, 0), m.start))]
        chosen = (asked_for or in_asked or quantities[-1:] or [None])[0]
        if chosen is None:
            return None, None, False
        specific = [m for m in in_asked if m.start > chosen.start and m.id in SPECIFIC_QUANTITIES
                    and not (chosen.id == "total_parameters" and m.id == "biases")  # "parameters, biases included"
                    and all(t.is_alpha or t.text == "-" for t in doc[chosen.end:m.start])  # one phrase, no break
                    and not any(t.lower_ in ("and", "or", "plus") for t in doc[chosen.end:m.start])]  # two parts
        if chosen.id in ("weights", "total_parameters") and specific:
            chosen = specific[0]  # "how many weights does the hidden-to-hidden matrix have?": the matrix says which
        mods = {m.id for m in self.read.mentions("QMOD") if self.read.sentence(m) == self.read.sentence(chosen)}
        near = {m.id for m in self.read.mentions("QMOD") if chosen.start - 4 <= m.start < chosen.start}
        after = [m for m in self.read.mentions("QMOD") if chosen.end <= m.start <= chosen.end + 2
                 and all(doc[i].lower_ in ("are", "is", "that", "which", "were") for i in range(chosen.end, m.start))]
        if after:
            near = near | {after[0].id}  # "how many of its parameters are trainable?"
        qty = chosen.id
        if qty == "total_parameters" and {"trainable", "non_trainable"} <= mods:
            # "trainable plus non-trainable": their sum, the total; "trainable and non-trainable parameters":
            # two parts, the first asked is the value (nlqa.reader.question.parts adds the non-trainable part)
            return ("total_parameters" if self._summed_modifiers(chosen) else "trainable_parameters"), chosen, False
        if qty == "total_parameters" or qty == "weights":
            if "non_trainable" in near or ("non_trainable" in mods and "trainable" not in near):
                return "non_trainable_parameters", chosen, False
            if qty == "weights" and "weights_only" in mods | {m.id for m in self.read.mentions("QMOD")}:
                return "weights", chosen, False
            if qty == "weights" and any(m.id == "biases" and m.start > chosen.start for m in in_asked):
                return "weights", chosen, False  # "how many weights and how many biases": weights in contrast to biases
            if qty == "weights":
                return ("trainable_parameters" if "trainable" in near else "total_parameters"), chosen, True
            if "trainable" in near:
                return "trainable_parameters", chosen, False
        return qty, chosen, False

    def _summed_modifiers(self, chosen: Mention) -> bool:
        """Whether 'trainable' and 'non-trainable' are added up ("trainable plus non-trainable", "+")."""
        mods = [m for m in self.read.mentions("QMOD") if self.read.sentence(m) == self.read.sentence(chosen)
                and m.id in ("trainable", "non_trainable")]
        doc = self.read.reading.doc
        return any(doc[i].lower_ in ("plus", "+", "together", "combined", "sum") for i in
                   range(min(m.start for m in mods), max(m.end for m in mods) + 2) if i < len(doc))

    def offtopic(self, asked: int | None) -> str | None:
        """What the question asks instead of a count ("which is better", "why", "how long does it take
        to train", "what batch size should I use"), or None. A cue beside a count asked in the same
        sentence ("why is my parameter count so big?") does not make the question off-topic."""
        def here(m: Mention) -> bool:
            return asked is None or self.read.sentence(m) == asked
        cues = [m for m in self.read.mentions("OFFTOPIC") if here(m)]
        design = any(m.id == "advice" for m in cues)   # "how many neurons should I put in the hidden layer?"
        if not cues or any(here(m) and not (design and m.id in DESIGN_QUANTITIES)
                           for m in self.read.mentions("QUANTITY", "MEMORY")):
            return None
        if all(m.id == "explanation" for m in cues) and self.read.mentions("PARAMCOUNT", "QUANTITY", "MEMORY"):
            # "why does my Dense(10) layer have 7850 parameters?", "The summary says 321 params. Why 321?":
            # a count named anywhere in the question is what the explanation is about; the derivation answers it
            return None
        return vocab()["offtopic_reasons"].get(cues[0].id, "something other than a count")

    def _said_by_code(self, m: Mention) -> bool:
        return said_by_code(self.read, m)

    def _input_counted(self, ref: dict[str, Any]) -> dict[str, Any]:
        """ "the second layer" of "an input layer of 10, a hidden layer of 20 and an output layer of 5":
        the question lists its input as a layer, so its layers are counted with the input as the first
        (the input holds no parameters: "the first layer" is then asked back)."""
        ordinal = ref.get("ordinal")
        if not isinstance(ordinal, int) or ordinal < 0 or set(ref) - {"ordinal"}:
            return ref
        doc = self.read.reading.doc
        if not any(t.lower_ == "input" and t.i + 1 < len(doc) and doc[t.i + 1].lower_ == "layer" for t in doc):
            return ref
        if ordinal == 1:
            return {"unknown": "first", "ask": "which layer is meant: the question lists the input layer as "
                    "a layer, and it holds no parameters; name it as 'the first hidden layer' or 'the output layer'"}
        return {"ordinal": ordinal - 1, "note": f"layer {ordinal} is counted with the input layer as layer 1, "
                f"as the question lists its layers (not counting the input, it would be the next layer)"}

    def _one_reference(self, j: int) -> tuple[dict[str, Any], int, bool]:
        """The words of one reference to a layer from token ``j`` on ("second hidden layer", "LSTM have?"):
        the reference, the token after it, and whether it is one (it ends in "layer", or in a kind the
        sentence ends on). A word where the kind or ordinal belongs that nlqa does not know ("the middle
        layer", "the next layer") is kept as ``unknown``: the layer is then asked back, never the total."""
        doc, v = self.read.reading.doc, vocab()
        n = len(doc)
        ref: dict[str, Any] = {}
        while j < n:
            m = self.read.reading.covered.get(j)
            low = doc[j].lower_
            if m is None and low in v["ordinals"]:
                ref["ordinal"] = v["ordinals"][low]
            elif m is None and low in v["middle_words"]:
                ref["ordinal"] = "middle"   # "the middle (hidden) layer": of an odd number of them
            elif m is None and low[:-2].isdecimal() and low[-2:] in ("st", "nd", "rd", "th") and int(low[:-2]) > 0:
                ref["ordinal"] = int(low[:-2])  # "the 6th layer"
            elif m is not None and m.label == "KIND":
                ref["kind"] = m.id
                ref["word"] = doc[m.start].lower_
                j = m.end
                if doc[j - 1].lower_ == "layer":  # "the Flatten layer": the kind's mention holds "layer"
                    return ref, j, True
                if (m.id not in NETWORK_NAMING_KINDS or "ordinal" in ref) and not doc[j - 1].lower_.endswith("s") \
                        and (j == n or doc[j].lower_ in v["reference_ends"]):  # "the second LSTM have?"
                    return ref, j, True  # "does the convolution have?": that layer alone
                continue
            elif m is not None and m.label == "ROLE":
                ref["role"] = m.id
            elif m is None and low in v["modifiers"]:
                pass
            elif (m is None and "kind" not in ref and (doc[j].is_alpha or doc[j].text.isalnum() and not doc[j].like_num)
                  and j + 1 < n
                  and doc[j + 1].lower_ == "layer" and doc[j + 1].i not in self.read.reading.covered):
                if "ordinal" in ref and doc[j].is_alpha:
                    # "the second conversional layer": a word where the kind belongs is the kind it is
                    # closest to, or a kind nlqa cannot match (then the layer is asked back, not guessed)
                    ref["kind"] = closest_kind(low) or f"?{low}"
                elif low in v["reference_kind_words"]:
                    ref["kind_part"] = v["reference_kind_words"][low]   # "the normalization layer"
                else:
                    ref["unknown"] = low   # "the middle layer", "the next layer"
            else:
                break
            j += 1
        if j < n and doc[j].lower_ == "layer" and self.read.reading.covered.get(j) is None:
            return ref, j + 1, True
        return ref, j, False

    def asks_size(self, asked: int | None) -> bool:
        """ "size of gpt2?", "GPT-2 XL: total size?": the size of a named model, read as its parameter count
        (but not "the hidden size of BERT-base" or "the vocabulary size of GPT-2")."""
        doc, v = self.read.reading.doc, vocab()
        for t in doc:
            if t.lower_ not in v["size_words"] or t.i in self.read.reading.covered:
                continue
            if asked is not None and self.read.reading.sentence_of[t.i] != asked:
                continue
            before = doc[t.i - 1] if t.i > 0 else None
            if (before is None or self.read.reading.sentence_of[before.i] != self.read.reading.sentence_of[t.i]
                    or before.lower_ in v["size_determiners"] or not before.is_alpha
                    or (before.i in self.read.reading.covered and self.read.reading.covered[before.i].label == "MODEL")):
                return True
        return False

    def reference(self, asked: int | None, after: Mention | None) -> tuple[dict | None, set[int]]:
        """A layer the question asks about: "the second hidden layer", "layer 3", "the dense layer"."""
        if asked is None or after is None:
            return None, set()
        doc, v = self.read.reading.doc, vocab()
        named, covered = reference_in(doc, self.read.reading.sentence_of, asked, self.read.code)  # self.fc2, dense_1
        if named is not None:
            return named, covered
        # Keras's own layer names: "dense_1" is the second Dense layer, "conv2d_2" the third Conv2D
        for i, word in enumerate(docwords.lower(doc)):
            named = KERAS_NAME.match(word) if self.read.reading.sentence_of[i] == asked else None
            if named and named.group(2):
                kind = KERAS_NAMES[named.group(1)]
                return {"kind": kind, "ordinal": int(named.group(2) or 0) + 1}, {i}
        weight_name = re.compile(v["weight_matrix_name"])
        for t in doc:   # "W2": the weight matrix of the second layer after the input
            named = weight_name.match(t.text) if self.read.reading.sentence_of[t.i] == asked else None
            if named:
                n = int(named.group(1))
                return {"index": n, "note": f"{t.text} is the weight matrix of layer {n} ({t.text[0]}1 connects the "
                        "input to the first layer)"}, {t.i}
        for m in self.read.mentions("LAYERNUM"):
            following = doc[m.end].lower_ if m.end < len(doc) else ""
            if following in v["unit_nouns"] or following in ("neuron", "unit", "node"):
                continue  # "hidden layer 3 neurons" gives a size, not a layer number
            if self.read.sentence(m) == asked and isinstance(m.value, int):
                index = m.value + 1 if m.id == "index0" else m.value
                return {"index": index}, set(range(m.start, m.end))
        before = self.read.reading.covered.get(after.start - 1) if after.start > 0 else None
        if before is not None and before.label == "KIND" and before.end == after.start and before.start > 0 \
                and before.id not in NETWORK_NAMING_KINDS and (doc[before.start - 1].lower_ in v["reference_determiners"]
                                                               or doc[before.start - 1].lower_ in v["kind_quantity_leads"]):
            return {"kind": before.id}, set(range(before.start - 1, before.end))  # "the convolution output dims"
        n = len(doc)
        start = after.end if after else 0
        pair = between_reference(self._one_reference, doc, self.read.reading.sentence_of, asked, start, v)
        if pair is not None:
            return pair
        for i in range(start, n):
            if self.read.reading.sentence_of[i] != asked:
                continue
            if doc[i].lower_ not in v["reference_determiners"]:
                continue
            if i > 0 and doc[i - 1].lower_ in ("if", "when", "whose", "but", "where", "while"):
                continue  # "... if the output layer has no bias?": a condition, not the layer asked about
            ref, j, whole = self._one_reference(i + 1)
            if ref == {"unknown": ref.get("unknown")} and ref["unknown"] in v["next_words"] \
                    and after.id in ("output_shape", "dense_input"):
                return None, set()   # "the dimensions of the data the next layer will receive": the output
            if whole:
                return self._input_counted(ref), set(range(i, j))
        return None, set()

    # -- the network --------------------------------------------------------------------
    def memory_request(self, x: Extraction, quantity: str | None) -> str | None:
        """'How much memory ... in float16?': the memory quantity, with dtype and unit recorded."""
        asked = self.asked_sentence()
        memory = [m for m in self.read.mentions("MEMORY", "MEMUNIT") if self.read.sentence(m) == asked] or (
            self.read.mentions("MEMORY", "MEMUNIT") if quantity is None else [])
        if not memory and self.read.mentions("DTYPE") and (quantity is None or "size" in self.read.text.lower()):
            memory = self.read.mentions("DTYPE")  # "the size of a 1.3B model at int8": a dtype matters only for memory
        if not memory:
            return None
        dtypes = [m.id for m in self.read.mentions("DTYPE")]
        units = [m.id for m in self.read.mentions("MEMUNIT") if self.read.sentence(m) == asked] or [
            m.id for m in self.read.mentions("MEMUNIT")]
        x.memory = {"dtype": dtypes[0] if dtypes else None, "unit": units[-1] if units else None}
        weights_only = any(self.read.sentence(m) == asked for m in self.read.mentions("WEIGHTSONLY"))
        if (self.read.mentions("TRAINING") or self.read.mentions("OPTIMIZER")) and not weights_only:
            # "... trains a 1.2B model. How much memory just to store the weights?": the weights alone
            optimizers = [m.id for m in self.read.mentions("OPTIMIZER")]
            x.memory["optimizer"] = optimizers[0] if optimizers else None
            x.memory["precision"] = "mixed" if self.read.mentions("PRECISION") or (dtypes and dtypes[0] in (
                "float16", "bfloat16")) else "fp32"
            return "training_memory_bytes"
        return "memory_bytes"


def said_by_code(read: Read, m: Mention) -> bool:
    """Whether a mention is in the sentence the script reader writes for a script that prints a
    count ("The code prints its parameters": summary(model), count_params())."""
    sentence = read.reading.doc[m.start].sent if read.reading.doc.has_annotation("SENT_START") else None
    text = sentence.text if sentence is not None else read.reading.doc[max(m.start - 4, 0):m.end].text
    from ..code.script import CODE_SUBJECT
    return text.lstrip().startswith(CODE_SUBJECT)
