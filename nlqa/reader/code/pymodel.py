"""The model a script is about and its layers in forward order: containers in their order, a
functional model along its outputs' path, an ``nn.Module`` by the first use of each layer in
``forward`` (``call`` in Keras), then the registered layers ``forward`` never uses.
"""

from __future__ import annotations

import ast
from typing import Any

from ...core.conv import GLOBAL_POOLS, POOL_DIMS
from ...core.spec import LayerSpec
from .notation import CodeLayer
from .pyvalues import Abort, FLATTEN_MARK, Function, Instance, Layer, MAX_DEPTH, Model, Tensor, Unknown, ZERO_KINDS, _out_width


PARAMETER_FREE = ZERO_KINDS | set(POOL_DIMS) | set(GLOBAL_POOLS)


def _parameter_free(layer: Layer) -> bool:
    """A layer that holds no parameters (pooling, activation, dropout, flatten)."""
    return bool(layer.layers) and all(c.spec.kind in PARAMETER_FREE for c in layer.layers)


class ModelReader:
    """Which model the script is about, and its CodeLayers in the order data flows."""

    def expand(self, value: Any, frozen: bool = False) -> list[Layer]:
        """The layer objects of a model, in forward order (each once)."""
        out: list[Layer] = []
        seen: set[int] = set()

        def visit(v: Any, depth: int) -> None:
            if depth > MAX_DEPTH:
                raise Abort("models nested too deeply")
            if isinstance(v, Layer):
                if id(v) not in seen:
                    seen.add(id(v))
                    out.append(v)
            elif isinstance(v, Model):
                for item in v.items:
                    visit(item, depth + 1)
            elif isinstance(v, Instance):
                for item in self.instance_order(v):
                    visit(item, depth + 1)
            elif isinstance(v, Unknown) and v.layerish:
                self.problem(f"{v.what} (a layer nlqa does not know)")
        visit(value, 0)
        return out

    def instance_order(self, instance: Instance) -> list:
        if instance.order is not None:
            return instance.order
        instance.order = []
        registered: list = []
        for name, value in instance.attrs.items():
            if isinstance(value, (Layer, Model, Instance)):
                registered.append(value)
            elif isinstance(value, Unknown) and value.layerish:
                self.problem(f"self.{name} = {value.what} (a layer nlqa does not know)")
            elif isinstance(value, (list, tuple, dict)):
                items = list(value.values()) if isinstance(value, dict) else list(value)
                layers = [v for v in items if isinstance(v, (Layer, Model, Instance))]
                if layers and instance.cls.framework == "pytorch":
                    self.problem(f"layers kept in a plain Python {type(value).__name__} (self.{name}): PyTorch does "
                                 "not register them, so model.parameters() would not count them; use nn.ModuleList")
                registered += layers
        members = self.expand(Model("list", registered))
        forward_name = "forward" if instance.cls.framework != "keras" else "call"
        other = "forward" if forward_name == "call" else "call"
        method = instance.cls.method(forward_name) or instance.cls.method(other)
        order: list = []
        if method is not None and members:
            uses = self.run_forward(instance, method)
            member_ids = {id(m) for m in members}
            seen: set[int] = set()
            for use in uses:
                if use is FLATTEN_MARK:
                    if order and order[-1] is not FLATTEN_MARK:
                        order.append(FLATTEN_MARK)
                    continue
                for layer in self.expand(use):
                    if id(layer) in member_ids and (id(layer) not in seen or _parameter_free(layer)):
                        seen.add(id(layer))       # a pool used twice is shown (and shapes it) twice;
                        order.append(layer)       # a layer with weights is shared, counted once
            unused = [m for m in members if id(m) not in seen]
            if order and order[-1] is FLATTEN_MARK:
                order.pop()
            raw = [m for m in unused if m.layers and all(c.spec.kind == "Parameter" for c in m.layers)]
            unused = [m for m in unused if m not in raw]   # a raw parameter is used as a tensor, not called
            counted = [m for m in unused if any(c.spec.kind not in ZERO_KINDS for c in m.layers)]
            names = ", ".join(m.source for m in counted[:3])
            if counted and instance.cls.framework == "keras":
                self.notes.append(f"{names} {'is' if len(counted) == 1 else 'are'} defined in __init__ but never "
                                  "called in call(): Keras never builds it, so it holds no parameters")
                counted = []
            elif counted:
                self.notes.append(f"{names} {'is' if len(counted) == 1 else 'are'} defined in __init__ but not used "
                                  f"in {forward_name}(); still counted, since model.parameters() includes every "
                                  "registered layer")
                self.check_unused(order, counted)
            order += counted + raw
            if instance.cls.framework == "keras" and self.call_branched:
                self.problem(f"a model whose call() has {self.call_branched[0]}")
        else:
            order = members
        instance.order = order
        return order

    def check_unused(self, order: list, unused: list[Layer]) -> None:
        """Unused PyTorch layers go after the used ones; each must accept what the one before gives."""
        width = next((w for w in (_out_width(c) for item in reversed(order) if isinstance(item, Layer)
                                  for c in reversed(item.layers)) if w is not None), None)
        for layer in unused:
            first = layer.layers[0] if layer.layers else None
            declared = first.spec.in_features if first is not None else None
            if width is not None and declared is not None and declared != width:
                self.problem(f"a layer defined in __init__ but not used in forward() ({layer.source}); "
                             "model.parameters() counts it, but nlqa cannot yet place it after the layers "
                             "forward() uses")
                return
            width = next((w for w in (_out_width(c) for c in reversed(layer.layers)) if w is not None), width)

    def run_forward(self, instance: Instance, method: Function) -> list:
        saved = (self.forward_uses, self.forward_flat, self.forward_owner, self.missing_attrs, self.branched)
        self.forward_uses, self.forward_flat, self.forward_owner, self.missing_attrs = [], [], instance, []
        self.branched = []
        try:
            params = method.node.args.args[1:]
            args = [Tensor((), instance.input_shape)] if params else []
            try:
                self.invoke(method, args, {}, self_value=instance)
            except Abort:
                raise
            uses = self.forward_uses
            if self.missing_attrs:
                self.problem(f"self.{self.missing_attrs[0]}, which {method.node.name}() uses but __init__ does not "
                             "define (or defines on a line nlqa could not parse)")
            self.call_branched = self.branched
        finally:
            self.forward_uses, self.forward_flat, self.forward_owner, self.missing_attrs, branched = saved
            self.branched = branched
        return uses

    def chosen(self) -> Any:
        for pool in (self.referenced, self.bound, self.created):
            models = [m for m in pool if isinstance(m, (Model, Instance, Layer))]
            if models and pool is self.bound and len(models) > 1 and all(type(m) is Layer for m in models):
                # "fc1 = nn.Linear(...); fc2 = nn.Linear(...)": separate modules, all of them count,
                # except one that a later module wraps (nn.TransformerEncoder(layer, num_layers=6))
                later = [{id(c.source) for c in m.layers} for m in models]
                own = [m for k, m in enumerate(models)
                       if not any({id(c.source) for c in m.layers} <= seen for seen in later[k + 1:])]
                if len(own) > 1:
                    return Layer([c for m in own for c in m.layers], "the modules defined")
                return own[-1]
            if models:
                return models[-1]
        tensors = [t for t in self.bound if isinstance(t, Tensor) and t.path]
        if tensors:
            last = tensors[-1]
            if last.branched:
                self.problem(f"a functional model with {last.branched}")
            return Model("functional", list(last.path), "keras", last.shape)
        modules = [c for c in self.classes if c.framework]
        used_inside = {n.id for c in modules for n in ast.walk(c.node) if isinstance(n, ast.Name)}
        standalone = [c for c in modules if c.node.name not in used_inside]
        if standalone:
            cls = standalone[-1]
            instance = self.instantiate(cls, [], {}, ast.Call(ast.Name(cls.node.name, ast.Load()), [], []))
            self.notes.append(f"{cls.node.name} is never instantiated; read with its default arguments")
            return instance
        return None

    def layers(self, model: Any) -> tuple[list[CodeLayer], tuple | None, list]:
        """The chosen model's CodeLayers in order, with its input shape and, for each CodeLayer,
        the layer object it came from (None for a Flatten that forward() implies)."""
        if isinstance(model, Layer):
            made = {id(c): layer for layer, _ in self.constructed for c in layer.layers}
            owners = [made.get(id(c)) for c in model.layers]   # "the modules defined": each its own
            return [self.with_frozen(c, model.frozen) for c in model.layers], None, owners
        shape = self.input_shape(model)
        out: list[CodeLayer] = []
        owners: list = []
        seen: set[int] = set()
        for item in self.expand_with_flatten(model):
            if item is not FLATTEN_MARK and id(item) in seen and not _parameter_free(item):
                self.notes.append(f"{item.source} appears more than once in the model: one module, its "
                                  "parameters counted once")
                continue                      # nn.Sequential(shared, ..., shared): the same parameters
            if item is not FLATTEN_MARK:
                seen.add(id(item))
            if item is FLATTEN_MARK:
                framework = out[-1].framework if out else None
                out.append(CodeLayer(LayerSpec("Flatten", implicit=True, name="flatten (in forward)"), framework))
                owners.append(None)
                continue
            made = [self.with_frozen(c, item.frozen) for c in item.layers]
            if made and out and _flattens_before(out, made[0]):
                # nn.Linear(16*5*5, 120) after nn.Conv2d: forward() must flatten between them (whether or
                # not the question pastes it), so the Linear's declared inputs are the flattened map
                out.append(CodeLayer(LayerSpec("Flatten", implicit=True, name="flatten (implied by forward)"),
                                     made[0].framework))
                owners.append(None)
            out += made
            owners += [item] * len(item.layers)
        return out, shape, owners

    def input_shape(self, model: Any, depth: int = 0) -> tuple | None:
        """The shape a model states for its input: its own, else its first member's."""
        if isinstance(model, (Model, Instance)) and model.input_shape is not None:
            return model.input_shape
        if isinstance(model, Model) and model.items and depth < MAX_DEPTH:
            return self.input_shape(model.items[0], depth + 1)
        return None

    def expand_with_flatten(self, model: Any) -> list:
        """Like expand(), keeping the flatten marks a forward() leaves between layers."""
        if isinstance(model, Instance):
            out = []
            for item in self.instance_order(model):
                out += [item] if item is FLATTEN_MARK or isinstance(item, Layer) else self.expand_with_flatten(item)
            return out
        if isinstance(model, Model):
            out = []
            for item in model.items:
                out += [item] if isinstance(item, Layer) else self.expand_with_flatten(item)
            return out
        return [model] if isinstance(model, Layer) else []

    @staticmethod
    def with_frozen(layer: CodeLayer, frozen: bool) -> CodeLayer:
        if not frozen:
            return layer
        return CodeLayer(layer.spec.with_(trainable=False), layer.framework, layer.input_shape, layer.source)


SPATIAL = ("Conv1D", "Conv2D", "Conv3D", "Conv2DTranspose", "DepthwiseConv2D", "SeparableConv2D", "MaxPooling1D",
           "MaxPooling2D", "MaxPooling3D", "AveragePooling1D", "AveragePooling2D", "AveragePooling3D",
           "BatchNormalization")


def _flattens_before(before: list[CodeLayer], layer: CodeLayer) -> bool:
    """A PyTorch Linear that declares more inputs than the channels of the convolution or pooling
    module right before it: the map is flattened between them (a Linear that declares just the
    channels follows a global pooling in forward(); a Keras Dense acts on the last axis instead)."""
    if not (layer.framework == "pytorch" and layer.spec.kind == "Dense" and layer.spec.in_features is not None
            and before[-1].spec.kind in SPATIAL):
        return False
    channels = next((c.spec.units for c in reversed(before) if c.spec.kind.startswith("Conv")), None)
    return channels is None or channels != layer.spec.in_features
