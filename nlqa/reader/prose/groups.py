"""Layer phrases and their sizes: "two recurrent layers of 6 neurons each" → a Group.

A Group is what one phrase of the question says about one or more layers: a kind, a role
(hidden/output/input), a count and a list of sizes. Extraction turns groups into layers.
"""

from __future__ import annotations

import re

from dataclasses import dataclass, field

from . import docwords
from ..cleanup import markdown
from ..code.notation import CodeLayer
from .mentions import Mention, Reading, architecture, number, shape, vocab

PHRASE_LABELS = {"KIND", "ROLE", "BIDIR"}
SIZE_LIST_JOINERS = {",", "and", "or", "/", "&", "then"}

# a list run into one line after a colon, as clean-up joins a wrapped line: "Layers: - Conv1 ... - Pool"
RUN_IN_LIST = re.compile(r":[ \t]*(?:[-*•+]|\d{1,2}[.)])[ \t]+\S")


@dataclass
class Group:
    start: int
    end: int
    kind: str | None = None
    role: str | None = None          # "hidden" | "output" | "input" | None
    count: int | None = None
    sizes: list[int] = field(default_factory=list)
    each: bool = False
    plural: bool = False
    bare: bool = False               # a kind word with no layer noun ("an LSTM with ...")
    bidirectional: bool = False
    per_direction: bool = False
    output_size: bool = False        # the size came from an output/classes mention
    code: CodeLayer | None = None
    text: str = ""
    attrs: dict = field(default_factory=dict)   # CONV/EMBED mentions by id (kernel, stride, ...)


@dataclass
class Phrases:
    groups: list[Group]
    network_kind: str | None = None
    network_layers: int | None = None
    consumed: set[int] = field(default_factory=set)  # mention starts used as sizes
    architectures: list[tuple[int, ...]] = field(default_factory=list)


def _is_number(token) -> int | None:
    value = number(token.text)
    return value if isinstance(value, int) and value >= 0 else None


class PhraseFinder:
    def __init__(self, reading: Reading, code_layers: list[CodeLayer], skip: set[int],
                 asked: int | None = None):
        self.asked = asked
        self.r = reading
        self.doc = reading.doc
        self.words, self.texts = docwords.lower(reading.doc), docwords.texts(reading.doc)
        self.code = code_layers
        self.skip = skip  # token indices of references to layers (in the question sentence)
        self.v = vocab()

    # -- token classes ------------------------------------------------------------------
    def mention(self, i: int) -> Mention | None:
        return self.r.covered.get(i)

    def label(self, i: int) -> str | None:
        m = self.mention(i)
        return m.label if m else None

    def lower(self, i: int) -> str:
        return self.words[i] if 0 <= i < len(self.words) else ""

    def is_layer_word(self, i: int) -> bool:
        return self.mention(i) is None and self.lower(i) in self.v["layer_words"]

    def placeholder(self, i: int) -> CodeLayer | None:
        text = self.texts[i]
        if text.startswith("LAYERREF") and text[8:].isdecimal():
            index = int(text[8:])
            return self.code[index] if index < len(self.code) else None
        return None

    def is_break(self, i: int) -> bool:
        return self.lower(i) in self.v["clause_breaks"] or self.r.sentence_of[i] != self.r.sentence_of[max(i - 1, 0)]

    # -- phrases ------------------------------------------------------------------------
    def find(self) -> Phrases:
        out = Phrases([])
        references: list[Group] = []
        n = len(self.doc)
        i = 0
        while i < n:
            if i in self.skip:
                i += 1
                continue
            code = self.placeholder(i)
            if code is not None:
                end = i + 1
                while end < n and self.is_layer_word(end):
                    end += 1
                glued = self.lower(i - 1) if i >= 1 else ""  # "2x LSTM(64)", "3 x Dense(8)"
                times = (_is_number(self.doc[i - 2]) if i >= 2 and glued in ("x", "times") else
                         int(glued[:-1]) if glued[:-1].isdecimal() and glued.endswith("x") else None)
                for _ in range(times if times and 2 <= times <= 64 else 1):  # "2x LSTM(64)": two layers
                    out.groups.append(Group(i, end, kind=code.spec.kind, count=1,
                                            sizes=[code.spec.units] if code.spec.units else [],
                                            code=code, text=self.doc[i].text))
                i = end
                continue
            arch = architecture(self.doc[i].text)
            if arch:
                before = [self.lower(k) for k in range(max(i - 3, 0), i)]
                if "hidden" in before and "input" not in before:  # "hidden layers 128 -> 64 -> 32": sizes only
                    prev = out.groups[-1] if out.groups else None
                    if prev is not None and not prev.sizes and not prev.code and prev.end >= i - 1:
                        prev.sizes, prev.count, prev.end = list(arch), len(arch), i + 1
                    else:
                        out.groups.append(Group(i, i + 1, role="hidden", count=len(arch), sizes=list(arch),
                                                plural=True, text=self.doc[i].text))
                else:
                    out.architectures.append(arch)
                i += 1
                continue
            m = self.mention(i)
            if m and m.label == "OUTHEAD":  # "a softmax classifier", "a classifier on top"
                group = Group(m.start, m.end, kind="Dense", role="output", count=1, bare=True, text=m.text)
                self._fill_sizes(group, m.end, out)
                out.groups.append(group)
                i = m.end
                continue
            if m and m.label == "SIZES":
                sizes, end = self._size_list(m.end, allow_roles=True)
                if len(sizes) >= 2:
                    out.architectures.append(tuple(sizes))
                    i = end
                    continue
            if m and m.label == "NETWORK":
                out.network_kind = out.network_kind or m.id
                i = m.end
                continue
            head = self._phrase_at(i)
            if head is None and self.lower(i) == "another" and out.groups and out.groups[-1].kind:
                end = i + 2 if self.lower(i + 1) in ("one", "1") else i + 1  # "a GRU with 12 cells and another with 6"
                head = Group(i, end, kind=out.groups[-1].kind, count=1, bare=True, text=self.doc[i:end].text), end
                self._fill_sizes(head[0], end, out)
                if not head[0].sizes:
                    head = None
            if head is None:
                i += 1
                continue
            group, end = head
            if self._describes_network(end, group):
                out.network_kind = out.network_kind or group.kind
                if group.count and not group.role:
                    out.network_layers = group.count
                i = end
                continue
            self._fill_sizes(group, end, out)
            if not group.sizes and self._is_reference(group):
                references.append(group)
                i = end
                continue
            out.groups.append(group)
            i = max(end, group.end)
        if not out.groups and not self.code:
            out.groups = references  # "how many parameters are in the embedding matrix?" names the only layer
        return self._without_title_topics(out)

    def _without_title_topics(self, out: Phrases) -> Phrases:
        """A post's title ("Calculating number of parameters in Conv2D", then the body) names its topic:
        a layer it names without a size is not a layer of the network when the body gives layers."""
        text = docwords.text(self.doc)
        first = text.find("\n\n")
        if first < 0 or first > 150 or text[:first].rstrip()[-1:] in ".?!:;," or not text[first:].strip():
            return out
        if markdown.read(text[:first]).items or RUN_IN_LIST.search(text[:first]):
            return out   # the first paragraph is a list item ("- Conv1: 16 filters, stride 1"), not a title
        title = [g for g in out.groups if self.doc[g.start].idx < first and not g.sizes and not g.code]
        body = [g for g in out.groups if self.doc[g.start].idx > first]
        if title and (body or self.code):
            out.groups = [g for g in out.groups if g not in title]
        return out

    def _phrase_at(self, i: int) -> tuple[Group, int] | None:
        """A layer phrase starting at token i: [count] [modifiers/kind/role]* (layer noun | kind)."""
        n = len(self.doc)
        j = i
        group = Group(i, i)
        count = _is_number(self.doc[i]) if self.mention(i) is None else None
        if count is not None:
            j += 1
            # "a 64-unit LSTM layer": number, "-", unit noun before the kind
        elif self.lower(i) in ("a", "an", "one", "single"):
            count = 1
            j += 1
        saw_core = False
        stacked = False
        last_kind_end = None
        while j < n:
            m = self.mention(j)
            if m and m.label in PHRASE_LABELS and not (m.label == "ROLE" and m.id == "input" and saw_core):
                if m.label == "KIND":
                    group.kind = m.id
                    last_kind_end = m.end
                elif m.label == "ROLE":
                    group.role = m.id
                elif m.label == "BIDIR":
                    group.bidirectional = True
                saw_core = saw_core or m.label in ("KIND", "ROLE")
                j = m.end
                continue
            if m and m.label == "CONV" and m.id in ("kernel", "pool") and count is not None:
                j = m.end  # "two 3x3 conv layers": the kernel stands between count and kind
                continue
            if m is None and self.lower(j) in self.v["modifiers"] and j + 1 < n:
                stacked = stacked or self.lower(j) == "stacked"
                j += 1
                continue
            if (m is None and _is_number(self.doc[j]) is not None and self.lower(j + 1) == "-"
                    and self.lower(j + 2) in self.v["unit_nouns"]):
                group.sizes = [_is_number(self.doc[j])]
                j += 3
                continue
            break
        if j < n and self.is_layer_word(j):
            group.plural = self.lower(j).endswith("s")
            j += 1
            while j < n and self.is_layer_word(j):
                j += 1
            k = j  # "a 3-layer stacked LSTM", "a 2-layer bidirectional LSTM", "three-layer PyTorch nn.RNN"
            while k < n and (self.mention(k) is None and self.lower(k) in self.v["modifiers"]
                             or self.label(k) in ("BIDIR", "FRAMEWORK")):
                if self.label(k) == "BIDIR":
                    group.bidirectional = True
                k = self.mention(k).end if self.mention(k) else k + 1
            m = self.mention(k) if k < n else None
            if (m is not None and m.label == "KIND" and not group.kind and count and count > 1
                    and self.lower(j - 2) == "-"):  # "a 2-layer LSTM": two LSTM layers
                group.kind, group.plural = m.id, True
                j = m.end
                saw_core = True
        elif group.role in ("hidden", "output") and not group.kind and (
                self.lower(j) == "(" and j + 1 < n and _is_number(self.doc[j + 1]) is not None
                or j < n and self.mention(j) is None and _is_number(self.doc[j]) is not None):
            group.bare = True  # "hidden(3)", "hidden 64 -> output 10"
        elif last_kind_end is not None and group.kind and all(self.lower(t) == "-" for t in range(last_kind_end, j)):
            j = last_kind_end  # "MaxPool - 2x2": the dash after a kind word is no modifier
            group.bare = True
            group.plural = self.lower(j - 1).endswith("s")
        elif last_kind_end is not None and group.kind and (
                last_kind_end == j or (self.label(j - 1) == "ROLE" and last_kind_end >= j - 2)):
            group.bare = True
            group.plural = self.lower(j - 1).endswith("s") and self.lower(j - 1) not in ("rnns", "lstms", "grus") \
                or self.lower(j - 1) in ("rnns", "lstms", "grus")
        else:
            return None
        if not saw_core and not (j > i and self.is_layer_word(j - 1)):
            return None
        if count is not None and j == i + 1:
            return None
        if group.role == "input" and not group.kind and not self.is_layer_word(j - 1):
            return None
        if stacked and (count is None or self.lower(i) in ("a", "an")):
            count, group.plural = None, True  # "a stacked LSTM": how many layers is not said
        group.count = count if count is not None else (None if group.plural else 1)
        group.start, group.end = i, j
        group.text = self.doc[i:j].text
        return group, j

    def _is_reference(self, group: Group) -> bool:
        """'the LSTM and dense layers' in the question sentence names layers, it adds none."""
        if self.asked is None or self.r.sentence_of[group.start] != self.asked:
            return False
        before = self.lower(group.start - 1)
        bare_after = before in ("after", "following") and self.lower(group.start) not in ("a", "an", "one")
        bare_after = bare_after or (before in ("does", "do", "did")   # "how many parameters does Conv1 have?"
                                    and self.lower(group.start) not in ("a", "an", "one"))
        bare_after = bare_after or before in self.v["previous_words"]   # "if the previous layer output is ..."
        return before in self.v["reference_determiners"] or before in ("and", "both") or bare_after or \
            self.lower(group.start) in self.v["reference_determiners"]  # "the output shape after pooling?"

    def _starts_phrase(self, k: int) -> bool:
        """Whether token k begins a layer phrase (so a number before it is a count, not a size)."""
        n = len(self.doc)
        while k < n and self.mention(k) is None and self.lower(k) in self.v["modifiers"]:
            k += 1
        m = self.mention(k) if k < n else None
        if m is not None:
            return m.label in ("KIND", "BIDIR") or (m.label == "ROLE" and m.id != "output")
        return self.is_layer_word(k)

    def _describes_network(self, end: int, group: Group) -> bool:
        if group.role in ("hidden", "output", "input") or group.sizes:
            return False
        k = end
        while k < len(self.doc) and self.lower(k) in ("neural", "deep", "artificial", "-", "recurrent"):
            k += 1
        if k < len(self.doc) and self.label(k) == "NETWORK":
            return True
        return k < len(self.doc) and self.lower(k) in self.v["network_words"] and self.mention(k) is None

    def _size_list(self, k: int, allow_roles: bool = False) -> tuple[list[int], int]:
        """Numbers joined by commas/and from token k ("10, 12 and 3"); returns them and the end."""
        sizes: list[int] = []
        n = len(self.doc)
        while k < n:
            tok = self.doc[k]
            m = self.mention(k)
            value = _is_number(tok) if m is None or m.label == "KIND" or (
                m.label in ("CONV", "UNITS") and m.start == k and sizes) else None
            if value is not None and (not sizes or self.lower(k - 1) in SIZE_LIST_JOINERS
                                      or self.lower(k - 1) in (")", "(")):
                sizes.append(value)
                k += 1
                continue
            if sizes and self.lower(k) in SIZE_LIST_JOINERS and k + 1 < n:
                k += 1
                continue
            if allow_roles and sizes and self.lower(k) == "(" and self.lower(k + 2) == ")":
                k += 3
                continue
            if allow_roles and not sizes and self.lower(k) in (":", "are", "is", "of", "=", "["):
                k += 1
                continue
            break
        while sizes and self.lower(k - 1) in SIZE_LIST_JOINERS:
            k -= 1
        return sizes, k

    def _fill_sizes(self, group: Group, end: int, out: Phrases) -> None:
        """Read the size slot after a phrase: "of 6 neurons each", "with 10 and 12 nodes"."""
        n = len(self.doc)
        k = end
        fillers = self.v["size_fillers"]
        steps = 0
        crossed = False  # a list joiner between phrase and mention: "a hidden layer and 3 outputs"
        while k < n and steps < 8:
            if self.is_break(k) and k != end:
                return
            m = self.mention(k)
            if m is not None and m.id == "placed":
                return  # "..., 4 in the hidden layer": that size is the next layer's
            if m is not None:
                if m.label in ("OUTPUT", "CLASSES", "SCALAR") and not group.sizes and group.role not in ("input", "hidden") \
                        and not crossed \
                        and isinstance(m.value if m.label != "SCALAR" else 1, int):
                    group.sizes = [m.value if m.label != "SCALAR" else 1]
                    group.output_size = True
                    out.consumed.add(m.start)
                    if group.role is None:
                        group.role = "output"
                    return
                if (m.label == "LAYERNUM" and not group.sizes and isinstance(m.value, int)
                        and self.lower(m.end) in self.v["unit_nouns"] | {"neuron", "unit", "node"}):
                    group.sizes = [m.value]  # "hidden layer 3 neurons"
                    group.end = m.end + 1
                    return
                if (m.label == "UNITS" or m.label == "EMBED" and m.id == "dim" and group.kind != "Embedding") \
                        and not group.sizes and isinstance(m.value, int):  # "a recurrent layer of size 16"
                    group.sizes = [m.value]
                    out.consumed.add(m.start)
                    return
                if m.label == "PERDIR":
                    group.per_direction = True
                    k = m.end
                    continue
                if m.label in ("FRAMEWORK", "BIDIR"):  # "a SimpleRNN layer in Keras with 16 units"
                    k = m.end
                    steps += 1
                    continue
                if m.label in ("ROLE", "KIND") and (m.id == group.role or m.id == group.kind or m.id == "hidden"):
                    k = m.end
                    steps += 1
                    continue
                if m.label == "KIND" and group.kind is None and group.role == "output" and not crossed:
                    group.kind = m.id  # "the output layer is a dense layer with 3 softmax units"
                    k = m.end
                    while k < n and self.is_layer_word(k):
                        k += 1
                    steps += 1
                    continue
                return
            if group.sizes:
                return
            value = _is_number(self.doc[k])
            if value is not None and k == end and group.plural and (group.kind or group.role):
                sizes, after = self._size_list(k)
                if len(sizes) >= 2 and self.lower(after) in (",", ".", ";", "", ")", "then"):
                    group.sizes, group.end = sizes, after   # "hidden layers 50 and 20, output 5"
                    return
            if value is not None and k == end and (group.kind or group.role):
                nxt = self.lower(k + 1)
                if nxt in (",", "->", ".", ";", ")", "and", "", "on", "with", "then", "(", "-", "how", "what", "find",
                           "compute", "calculate", "count", "total") \
                        or nxt in self.v["activations"] or self.label(k + 1) in ("KIND", "ROLE") \
                        or shape(self.doc[k + 1].text if k + 1 < n else ""):
                    group.sizes = [value]  # "dense 128 -> ...", "conv 32 3x3"
                    group.end = k + 1
                    return
            if value is not None:
                sizes, after = self._size_list(k)
                if self.lower(after) == "(":
                    after += 1
                noun = False
                while after < n and (self.lower(after) in self.v["unit_nouns"] or self.lower(after) in self.v["activations"]
                                     or self.label(after) in ("ROLE",)):
                    if self.label(after) == "ROLE" and self.mention(after).id == "output":
                        break
                    noun = noun or self.lower(after) in self.v["unit_nouns"]
                    after += 1
                prev = self.lower(k - 1)
                if not noun and (prev not in ("of", "with", "having", "(", "sizes", "size", "width", "widths", ":", "=")
                                 or self._starts_phrase(after)):
                    return
                group.sizes = sizes
                m2 = self.mention(after)
                if m2 is not None and m2.label == "PERDIR":
                    group.per_direction = True
                    after = m2.end
                if self.lower(after) in self.v["each_words"] or self.lower(after + 1) in self.v["each_words"]:
                    group.each = True
                group.end = after
                return
            if self.lower(k) not in fillers:
                return
            crossed = crossed or self.lower(k) in (",", "and")
            k += 1
            steps += 1


def _sides(value) -> tuple | None:
    if isinstance(value, int):
        return (value,)
    if isinstance(value, tuple) and value and len(set(value)) == 1:
        return value[:1]      # a square kernel: 3 and (3, 3) are one size
    return value if isinstance(value, tuple) else None


ECHO_FIELDS = {"filters": "units", "kernel": "kernel", "stride": "strides"}  # prose attribute -> code field


def _echoes(group: Group, layer) -> bool:
    """Whether every size the prose gives the group is the coded layer's own."""
    for name, field_name in ECHO_FIELDS.items():
        if name in group.attrs:
            said, coded = group.attrs[name].value, getattr(layer.spec, field_name)
            if field_name == "units" and said != coded:
                return False
            if field_name != "units" and _sides(said) != _sides(coded if coded is not None else 1):
                return False
    return not (set(group.attrs) - set(ECHO_FIELDS) - {"padding_valid", "padding_same", "padding"})


def without_code_echoes(groups: list[Group]) -> list[Group]:
    """A layer the code defines, named again in the prose with nothing of its own ("conv =
    nn.Conv2d(1, 6, 3) ... a convolution layer with 6 filters of size 3x3"), is that layer, not one
    more: the prose gives no size, or only sizes the coded layer of that kind has."""
    from .kinds import _family  # kinds imports attributes, which imports this module
    coded = [g.code for g in groups if g.code is not None]
    if not coded:
        return groups
    return [g for g in groups if g.code is not None or g.sizes or g.role or g.count != 1
            or not any(_family(c.spec.kind) == _family(g.kind) and _echoes(g, c) for c in coded)]
