"""The layer a question names as the pasted code names it: ``self.fc2``, ``l1``, ``the layer x``,
``dense_1``, ``simple_rnn_1``.

The code's names come from ``pynames.py`` (variables, attributes, ``name=`` arguments, and the
class and construction rank Keras names a layer by). A name of the code that does not name one
layer of the model (bound to two layers, to a container, or to a layer the model does not hold)
is returned unresolved, so the question is asked back rather than answered with the total.

Keras auto-names: Keras 3 and tf.keras 2.x call the layers of one class ``dense``, ``dense_1``,
``dense_2``, ... in the order they are constructed; standalone Keras 2.0-2.2 (``keras`` before
tf.keras) called them ``dense_1``, ``dense_2``, ... Counters run on in a notebook session
(``conv2d_33``). When the question shows as many names of that class as the code has layers, the
smallest is the first layer; else the reading that fits the code is used, and where both fit,
Keras 3 naming (said in the assumptions).
"""

from __future__ import annotations

import re

from ..prose import docwords
from ..code.notation import CodeReading
from ..prose.mentions import vocab

INDEXED = re.compile(r"(?<![\w.])([A-Za-z_]\w*)(?:\.layers)?\s*\[\s*(\d+)\s*\]")
IDENT = re.compile(r"(?<![\w.])((?:[A-Za-z_]\w*\.)*[A-Za-z_][A-Za-z0-9_]*)(?![\w(])")


def named_layer(sentence: str, text: str, code: CodeReading) -> tuple[dict | None, tuple[int, int] | None]:
    """The reference (``{"index": n}``, n counted over the listed layers; ``{"name": ...}`` when
    the name is the code's but names no single layer) and the span of ``sentence`` it covers."""
    if not code.layers:
        return None, None
    keras = "pytorch" not in code.frameworks
    found = [(ref, span) for ref, span in _names_in(sentence, text, code, keras)]
    indexes = {ref.get("index") for ref, _ in found}
    if len(indexes) > 1:                        # "fc1 and fc2 together": no one layer
        listed = sum(1 for c in code.layers if not c.spec.implicit)
        if None not in indexes and len(indexes) == listed:
            return None, None                   # every layer of the model: its total answers it
        return {"name": " and ".join(ref["name"] for ref, _ in found)}, found[0][1]
    return found[0] if found else (None, None)


def _names_in(sentence: str, text: str, code: CodeReading, keras: bool):
    """Every layer name of the code in the sentence, with its span."""
    for match in INDEXED.finditer(sentence):   # model[2], model.layers[1]
        layers = code.indexed.get(match.group(1))
        if layers is not None:
            k = int(match.group(2))
            position = layers[k] if k < len(layers) else None
            yield (_at(code, (position,), match.group(0)) if position is not None else {"name": match.group(0)}), \
                match.span(0)
    indexed = [m.span(0) for m in INDEXED.finditer(sentence) if m.group(1) in code.indexed]
    classes = {c[0] for c in code.classes if c}
    for match in IDENT.finditer(sentence):
        if any(start <= match.start(1) < end for start, end in indexed):
            continue
        word = match.group(1)
        span = match.span(1)
        names = [n for n in (word, f"self.{word}") if n in code.names]
        if names and ("." in word or bool(re.search(r"[\d_]", word)) or _layer_word_near(sentence, span)
                      or sentence[span[0] - 1:span[0]] == "`"):
            yield _at(code, code.names[names[0]], word), span
            continue
        if keras and _keras_class(word) in classes:
            before = sentence[:span[0]].rstrip(" `'\"").lower().split()
            marked = sentence[span[0] - 1:span[0]] == "`" or bool(before and before[-1] in vocab()["code_name_words"])
            ref = _keras_name(word, text, code, marked)
            if ref is not None:
                yield ref, span
                continue
        ref = _wrapper_class(word, sentence[:span[0]], sentence[span[1]:], code)
        if ref is not None:
            yield ref, span
        elif word.startswith("self.") and (code.script or any(n.startswith("self.") for n in code.names)):
            yield {"name": word}, span         # an attribute the model does not have: asked back


def _layer_word_near(sentence: str, span: tuple[int, int]) -> bool:
    """'the layer x', 'layer `l1`', 'the x layer'."""
    before = sentence[:span[0]].rstrip(" `'\"").lower().split()
    after = sentence[span[1]:].lstrip(" `'\"").lower().split()
    words = vocab()["code_name_words"]
    return bool(before and before[-1] in words) or bool(after and after[0].strip("?.,") in words)


def _at(code: CodeReading, positions: tuple[int, ...], name: str, note: str = "") -> dict:
    if len(positions) != 1 or code.layers[positions[0]].spec.implicit:
        return {"name": name}
    index = 1 + sum(1 for c in code.layers[:positions[0]] if not c.spec.implicit)
    return {"index": index, "name": name, **({"note": note} if note else {})}


def _reference_end(after: str) -> bool:
    """What may follow a layer named by its class: 'layer', 'wrapper', 'have', or the end."""
    rest = after.lstrip(" `'\"").lower()
    word = re.match(r"[a-z]+", rest)
    ends = vocab()["code_name_words"] | vocab()["code_class_ends"]
    return not rest or rest[0] in "?.,;:)" or (word is not None and word.group(0) in ends)


def _wrapper_class(word: str, before: str, after: str, code: CodeReading) -> dict | None:
    """'the Bidirectional layer', 'the second TimeDistributed': a class of the code that is not the
    kind nlqa counts it as (a wrapper, an old Keras name); an ordinal before it picks one of several."""
    if not word[:1].isupper():
        return None
    from ..code.pynames import snake_case  # (the script reader's names: imported with code only)
    snake = snake_case(word)
    positions = [i for i, c in enumerate(code.classes) if c and c[0] == snake]
    if not positions or any(snake_case(code.layers[i].spec.kind) == snake for i in positions):
        return None
    words = before.lower().replace("`", " ").split()
    ordinal = vocab()["ordinals"].get(words[-1]) if words else None
    if not words or (ordinal is None and words[-1] not in vocab()["code_class_determiners"]) \
            or not _reference_end(after):
        return None                               # "say that TimeDistributed should ...": no layer asked about
    if ordinal is None and len(positions) > 1:
        return {"name": word}                     # several of them, none picked: asked back
    pick = positions[-1] if ordinal == -1 else positions[(ordinal or 1) - 1] if (ordinal or 1) <= len(positions) else None
    return _at(code, (pick,), word) if pick is not None else {"name": word}


KERAS_NAME = re.compile(r"([a-z][a-z0-9_]*?)(?:_(\d+))?")


def _keras_class(word: str) -> str | None:
    """The class a Keras auto-name is of, snake case ("dense_1" -> "dense"); None if it is not one."""
    match = KERAS_NAME.fullmatch(word)
    return match.group(1) if match is not None else None


def _keras_name(word: str, text: str, code: CodeReading, marked: bool = False) -> dict | None:
    classes = {c[0] for c in code.classes if c}
    match = KERAS_NAME.fullmatch(word)
    if match is None or match.group(1) not in classes:
        return None
    snake, suffix = match.group(1), match.group(2)
    if suffix is None and "_" not in snake and not re.search(r"\d", snake) and not marked:
        return None                             # "dense", "lstm": English words, not names ('the layer lstm' is)
    n = int(suffix) if suffix is not None else 0
    ranked = sorted((c[1], i) for i, c in enumerate(code.classes) if c and c[0] == snake)
    shown = {int(m.group(1) or 0) for m in re.finditer(rf"(?<![\w.]){re.escape(snake)}(?:_(\d+))?(?![\w(])", text)}
    rank_of = {r: i for r, i in ranked}
    if len(shown) == len(ranked) and max(shown) - min(shown) == len(ranked) - 1:
        first = min(shown)                      # the question shows every one of them: the smallest is the first
        rank = ranked[n - first][0] if 0 <= n - first < len(ranked) else None
        return _at(code, (rank_of[rank],), word) if rank is not None else {"name": word}
    keras3, keras2 = n, n - 1                   # dense_1: the second (Keras 3) or the first (Keras 2.0-2.2)
    fits = [r for r in (keras3, keras2) if r in rank_of]
    if not fits:
        return {"name": word}
    note = ""
    if len(fits) == 2 and keras3 != keras2:
        note = (f"{word} read with Keras 3 / tf.keras naming ({snake}, {snake}_1, {snake}_2, ... in the order the "
                f"layers are made); standalone Keras 2.0-2.2 named them {snake}_1, {snake}_2, ..., where "
                f"{word} would be layer {_at(code, (rank_of[keras2],), word).get('index')}")
    elif fits == [keras2]:
        note = (f"{word} read with standalone Keras 2 naming ({snake}_1 is the first {snake} layer): "
                f"Keras 3 would call this layer {snake}" + (f"_{keras2}" if keras2 else ""))
    return _at(code, (rank_of[fits[0]],), word, note)


def reference_in(doc, sentence_of: list[int], asked: int, code: CodeReading) -> tuple[dict | None, set[int]]:
    """``named_layer`` over the asked sentence of a spaCy ``doc``; the tokens the name covers."""
    if not code.layers:   # no code, no names (named_layer would say so after this work)
        return None, set()
    tokens = [doc[i] for i, s in enumerate(sentence_of) if s == asked]   # (indices first: iterating a Doc is slow)
    if not tokens:
        return None, set()
    start = tokens[0].idx
    text = docwords.text(doc)
    sentence = text[start:tokens[-1].idx + len(tokens[-1].text)]
    ref, span = named_layer(sentence, text, code)
    if ref is None or span is None:
        return None, set()
    covered = {t.i for t in tokens if t.idx - start < span[1] and t.idx + len(t.text) - start > span[0]}
    return ref, covered
