"""The names a pasted script gives its layers, so a question can ask about one of them.

A layer is named by the variable or attribute it is bound to (``l1 = SimpleRNN(4)``,
``self.fc1 = nn.Linear(8, 16)``, ``x = Dense(64)(inp)``: the layer that made ``x``), by its
``name="..."`` argument, and, in Keras, by the name Keras gives it: the snake-case class name
with a counter per class in the order the layers are constructed (``dense``, ``dense_1``, ...).
A name bound to two different layers, or to a whole container, names no single layer.
"""

from __future__ import annotations

import re
from typing import Any

from .pyvalues import Instance, Layer, Model, Tensor

SNAKE_WORD = re.compile(r"(.)([A-Z][a-z]+)")
SNAKE_CAMEL = re.compile(r"([a-z])([A-Z])")


def snake_case(cls: str) -> str:
    """Keras's name for a class: ``SimpleRNN`` -> ``simple_rnn``, ``Conv2D`` -> ``conv2d``."""
    return SNAKE_CAMEL.sub(r"\1_\2", SNAKE_WORD.sub(r"\1_\2", cls)).lower()


class LayerNames:
    """Part of the script interpreter: records which names each layer object is bound to."""

    def made(self, layer: Layer, cls: str, kwargs: dict) -> Layer:
        """A layer constructed now: its class (for Keras's counters) and its ``name=`` argument."""
        self.constructed.append((layer, cls))
        if isinstance(kwargs.get("name"), str) and kwargs["name"]:
            self.bind_name(kwargs["name"], layer)
        return layer

    def bind_name(self, name: str, value: Any) -> None:
        """``name = value``: a layer, the tensor a layer made (functional API), or a container."""
        if isinstance(value, Tensor) and value.path and isinstance(value.path[-1], Layer):
            value = value.path[-1]
        if isinstance(value, Layer) and value.layers and not value.merge:
            bound = self.name_bindings.setdefault(name, [])
            if all(other is not value for other in bound):
                bound.append(value)
        elif isinstance(value, (Layer, Model, Instance)):
            self.name_bindings.setdefault(name, []).append(value)   # a container: names no single layer

    def names_of(self, owners: list[Layer | None]) -> tuple[dict[str, tuple[int, ...]], list[tuple[str, int] | None]]:
        """For the model's CodeLayers (``owners[i]`` the layer object CodeLayer i came from, None
        for an implied one): name -> positions it names (empty: no single layer), and for each
        position the Keras class name and how many layers of that class were constructed before it."""
        first: dict[int, int] = {}
        for i, owner in enumerate(owners):
            if owner is not None and id(owner) not in first:
                first[id(owner)] = i
        names: dict[str, tuple[int, ...]] = {}
        everything = {i for i, owner in enumerate(owners) if owner is not None}
        for name, bound in self.name_bindings.items():
            layers = [b for b in bound if isinstance(b, Layer) and b.layers and not b.merge]
            containers = [b for b in bound if b not in layers]
            positions = tuple(dict.fromkeys(first[id(b)] for b in layers if id(b) in first))
            held = [{first[id(m)] for m in self.expand(c) if id(m) in first} for c in containers]
            if not positions and held and all(h == everything for h in held):
                model = containers[-1]          # the model itself ("model1"): not a layer's name, but
                if isinstance(model, Model) and model.items and all(   # model[1], model.layers[1] are
                        isinstance(i, Layer) and id(i) in first for i in model.items):
                    offset = 1 if model.kind == "functional" else 0   # keras.Model's layers[0] is its Input
                    self.indexed[name] = tuple([None] * offset + [first[id(i)] for i in model.items])
                continue
            if not positions and not any(held):
                continue                        # bound to nothing the model holds
            names[name] = positions if len(positions) == 1 and not containers else ()
        ranks: dict[str, int] = {}
        classes: list[tuple[str, int] | None] = [None] * len(owners)
        for layer, cls in self.constructed:
            snake = snake_case(cls)
            rank = ranks.get(snake, 0)
            ranks[snake] = rank + 1
            if id(layer) in first:
                classes[first[id(layer)]] = (snake, rank)
        return names, classes
