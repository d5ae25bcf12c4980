"""Framework calls in a pasted script: layers (read by ``code._Reader`` with the literals put
in), containers, ``keras.Input``/``keras.Model``, merges, wrappers, and the methods models and
layers are asked (``add``, ``parameters``, ``summary``, ``build``, ``requires_grad_``).
"""

from __future__ import annotations

import ast
from typing import Any

from ...core.spec import LayerSpec
from .notation import CodeLayer, _resolve, batch_shape, tensor_shape
from .layout import data_input
from .pyvalues import Abort, CHAIN_METHODS, DATA_FUNCTIONS, DATA_ROOTS, FLATTEN_MARK, FLATTENING, Instance, Layer, LAYERISH_ROOTS, MAX_ITEMS, MAX_LAYERS, Method, Model, Params, QUERY_METHODS, Super, Tensor, Unknown, _dotted_node, _is_literal, _literal_node, _short


class FrameworkCalls:
    """What calling a framework name, a layer, a model or one of their methods gives."""

    def freeze(self, target: Any, frozen: bool) -> None:
        """requires_grad / trainable set on what exists now (a head added later stays trainable)."""
        for layer in self.expand(target):
            layer.frozen = frozen

    def apply(self, func: Layer | Model | Instance, args: list) -> Any:
        """A layer or model called on a tensor (functional API, forward())."""
        if self.forward_uses is not None:
            self.forward_uses.append(func)
        elif isinstance(func, (Model, Instance)) and func.input_shape is None:
            data = next((a for a in args if isinstance(a, Tensor) and a.batch and a.shape), None)
            if data is not None:   # model(np.zeros((1, 20))) builds it for 20 features
                first = next((c for layer in self.expand(func) for c in layer.layers), None)
                func.input_shape, note = data_input(data.shape, data.layout, first)
                if note:
                    self.notes.append(note)
        if isinstance(func, Layer) and func.merge:
            inputs = args[0] if args and isinstance(args[0], (list, tuple)) else args
            return self.merge([t for t in inputs if isinstance(t, Tensor)], func.merge)
        source = next((a for a in args if isinstance(a, Tensor)), None)
        if source is None:
            return Tensor((func,))
        return Tensor(source.path + (func,), source.shape, source.branched)

    def merge(self, tensors: list[Tensor], op: str) -> Tensor:
        if not tensors:
            return Tensor()
        paths = [t.path for t in tensors]
        longest = max(paths, key=len)
        chained = all(p == longest[:len(p)] for p in paths)
        shape = tensors[0].shape
        if chained and op == "add" and all(t.shape == shape for t in tensors):
            return Tensor(longest, shape, next((t.branched for t in tensors if t.branched), ""))
        reason = "layers whose outputs are concatenated" if op == "concat" else "branches that merge"
        self.branched.append(reason)
        seen, path = set(), []
        for p in paths:
            for item in p:
                if id(item) not in seen:
                    seen.add(id(item))
                    path.append(item)
        return Tensor(tuple(path), shape, reason)

    def query(self, owner: Any, quantity: str | None) -> None:
        """A model asked for its parameters / summary: it is the model the question is about."""
        if self.forward_uses is not None:
            return
        target = owner.owner if isinstance(owner, Params) else owner
        if isinstance(target, (Layer, Model, Instance)):
            self.referenced.append(target)
        elif isinstance(target, Unknown) and target.what:
            self.unknown_models.append(target.what)
        if quantity:
            self.queries.append(quantity)

    def method(self, func: Method, args: list, kwargs: dict, node: ast.Call) -> Any:
        target, name = func.target, func.name
        if isinstance(target, Super):
            parent = target.cls.parent if target.cls else None
            if parent is not None:
                method = parent.method(name)
                if method is not None:
                    return self.invoke(method, args, kwargs, self_value=target.instance)
            elif target.cls is not None and target.cls.container and name == "__init__" \
                    and isinstance(target.instance, Instance):
                # class MLP(nn.Sequential): super().__init__(nn.Linear(...), ...) registers them in order
                built = self.container(target.cls.container, "Sequential", args, kwargs)
                for i, item in enumerate(built.items):
                    target.instance.attrs[str(i)] = item
                target.instance.input_shape = built.input_shape
            return None
        if isinstance(target, list):
            if name == "append" and args:
                target.append(args[0])
            elif name == "extend" and args:
                target.extend(self.iterate(args[0]) or [Unknown()])
            elif name == "insert" and len(args) == 2 and isinstance(args[0], int):
                target.insert(args[0], args[1])
            elif name == "pop" and target:
                return target.pop(args[0] if args and isinstance(args[0], int) else -1)
            if len(target) > MAX_ITEMS:
                raise Abort(f"a list of more than {MAX_ITEMS:,} elements")
            return None
        if isinstance(target, dict):
            if name == "items":
                return [tuple(kv) for kv in target.items()]
            if name == "values":
                return list(target.values())
            if name == "keys":
                return list(target.keys())
            if name == "get" and args:
                return target.get(args[0], args[1] if len(args) > 1 else None)
            if name == "update" and args and isinstance(args[0], dict):
                target.update(args[0])
            return Unknown()
        if isinstance(target, Tensor):
            if name == "split" and target.batch and target.shape and args and not target.path:
                return self.split(target, args[0], kwargs.get("dim", args[1] if len(args) > 1 else 0))
            if name in FLATTENING and self.forward_flat is not None:
                self.forward_uses.append(FLATTEN_MARK)
            return target
        if isinstance(target, Params):
            if name == "requires_grad_":
                self.freeze(target.owner, not (args[0] if args else True))
            return Unknown()
        if isinstance(target, Unknown):
            if name in QUERY_METHODS and target.what and self.forward_uses is None:
                self.unknown_models.append(target.what)
            if name in ("add", "add_module") and any(isinstance(a, (Layer, Model)) for a in args):
                self.unknown_models.append(target.what or "an object nlqa cannot read")
            tensors = [a for a in args if isinstance(a, Tensor)]
            return tensors[0] if len(tensors) == 1 else Unknown()
        # Layer, Model or Instance
        if name == "parameters" or name == "named_parameters":
            self.query(target, None)
            return Params(target)
        if name in ("summary", "count_params"):
            self.query(target, "total")
            return None
        if name in ("compile", "fit", "evaluate", "predict", "state_dict"):
            self.query(target, None)
            return Unknown()
        if name == "requires_grad_":
            self.freeze(target, not (args[0] if args else True))
            return target
        if name in CHAIN_METHODS:
            return target
        if name == "build" and args:
            shape = args[0] if not kwargs else kwargs.get("input_shape", args[0])
            if isinstance(shape, (tuple, list)) and len(shape) >= 2:
                dims = tuple(shape[1:])
                if all(d is None or isinstance(d, int) for d in dims):
                    if isinstance(target, (Model, Instance)):
                        target.input_shape = dims
                    if isinstance(target, Instance) and target.cls.framework == "keras" \
                            and target.cls.method("build") is None:
                        self.notes.append("model.build() read as building every layer for the input "
                                          f"{dims} (tf.keras 2.x); in Keras 3 build() does not create the "
                                          "layers of a subclassed model, whose summary() shows 0 parameters "
                                          "until the model is called on data")
            return None
        if isinstance(target, Model):
            if name in ("add", "append") and args:
                self.add_item(target, args[0])
            elif name == "extend" and args:
                for item in self.iterate(args[0]) or []:
                    self.add_item(target, item)
            elif name == "insert" and len(args) == 2 and isinstance(args[0], int):
                target.items.insert(args[0], args[1])
            elif name == "add_module" and len(args) == 2:
                self.add_item(target, args[1])
            elif name == "pop" and target.items:
                return target.items.pop()
            return None
        if isinstance(target, Instance):
            if name in ("add_module", "register_module") and len(args) == 2 and isinstance(args[0], str):
                target.attrs[args[0]] = args[1]
                target.order = None
                return None
            if name == "register_parameter" and len(args) == 2 and isinstance(args[0], str):
                if args[1] is not None:               # register_parameter("w", None): no parameter
                    target.attrs[args[0]] = args[1]
                    target.order = None
                return None
            if name == "add_weight":                  # Keras: self.w = self.add_weight(shape=(4, 8))
                shape = kwargs.get("shape", args[0] if args and not isinstance(args[0], str) else None)
                return self.raw_parameter(Tensor((), tuple(shape)) if isinstance(shape, (tuple, list)) else None,
                                          kwargs.get("trainable", True), node, "keras")
            if name == "register_buffer":
                return None
            if self.forward_uses is not None:
                if target is self.forward_owner and name not in target.attrs and any(
                        isinstance(a, Tensor) for a in args):
                    self.missing_attrs.append(name)
                tensors = [a for a in args if isinstance(a, Tensor)]
                return tensors[0] if tensors else Unknown()
        return Unknown()

    @staticmethod
    def split(tensor: Tensor, sizes: Any, dim: Any) -> Any:
        """``torch.empty(100, 300).split([100, 200], dim=1)``: the pieces' shapes (a list of sizes, or
        one size for equal pieces and a smaller last one)."""
        shape = tensor.shape
        if not isinstance(dim, int) or isinstance(dim, bool) or not -len(shape) <= dim < len(shape) \
                or not isinstance(shape[dim], int):
            return Unknown()
        side = shape[dim]
        if isinstance(sizes, int) and not isinstance(sizes, bool) and 0 < sizes:
            sizes = [min(sizes, side - start) for start in range(0, side, sizes)][:MAX_ITEMS]
        if not isinstance(sizes, (list, tuple)) or not all(isinstance(n, int) and n >= 0 for n in sizes) \
                or sum(sizes) != side:
            return Unknown()
        dim = dim % len(shape)
        return [Tensor((), shape[:dim] + (n,) + shape[dim + 1:], batch=True, layout=tensor.layout) for n in sizes]

    def raw_parameter(self, data: Any, trainable: Any, node: ast.Call, framework: str = "pytorch") -> Any:
        """``nn.Parameter(torch.zeros(4, 8))``: one tensor of parameters, counted by its shape."""
        shape = data.shape if isinstance(data, Tensor) and not data.path else None
        if shape is None or not all(isinstance(d, int) and not isinstance(d, bool) for d in shape):
            self.reading.unknown_args.append(f"the shape of the tensor in {_short(node, 60)}")
            return Unknown()
        spec = LayerSpec("Parameter", tensor=tuple(shape), trainable=trainable is not False,
                         name=f"parameter {'×'.join(map(str, shape))}")
        return Layer([CodeLayer(spec, framework)], _short(node, 60))

    def add_item(self, model: Model, item: Any) -> None:
        if isinstance(item, Tensor) and not item.path:
            model.input_shape = model.input_shape or item.shape
            return
        if isinstance(item, Unknown) and item.layerish:
            self.problem(f"{item.what} (a layer nlqa does not know)")
            return
        model.items.append(item)

    def framework_call(self, dotted: str, node: ast.Call, args: list, kwargs: dict, env: dict) -> Any:
        last = dotted.split(".")[-1]
        if last == "OrderedDict":
            pairs = self.iterate(args[0]) if args else []
            out = {}
            for pair in pairs or []:
                if isinstance(pair, tuple) and len(pair) == 2 and _is_literal(pair[0]):
                    out[pair[0]] = pair[1]
            out.update(kwargs)
            return out
        if last == "Parameter" and ("nn" in dotted or "torch" in dotted):
            data = kwargs.get("data", args[0] if args else None)
            return self.raw_parameter(data, kwargs.get("requires_grad", True), node)
        if last in ("ParameterList", "ParameterDict") and ("nn" in dotted or "torch" in dotted):
            items = args[0] if args and isinstance(args[0], dict) else self.iterate(args[0]) if args else []
            items = list(items.values()) if isinstance(items, dict) else items
            if items is None or not all(isinstance(i, Layer) for i in items):
                self.problem(f"a {last} whose parameters nlqa cannot read ({_short(node, 60)})")
                return Unknown()
            return Model("list", items, "torch")
        if last in ("summary",) and args and isinstance(args[0], (Model, Instance, Layer)):
            self.query(args[0], "total")
            size = kwargs.get("input_size", args[1] if len(args) > 1 else None)
            if isinstance(size, (tuple, list)) and size and all(isinstance(d, int) for d in size):
                size = tuple(size)
                if "torchsummary" in dotted:
                    size = (1,) + size
                self.tensor_inputs.append(size)
            return None
        if last == "count_params" and args:
            quantity = "trainable" if isinstance(args[0], Method) and args[0].name.startswith("trainable") else \
                "non_trainable" if isinstance(args[0], Method) and args[0].name.startswith("non") else "total"
            if isinstance(args[0], Method):
                self.query(args[0].target, quantity)
            return None
        resolved = _resolve(dotted)
        if last == "from_pretrained" and _resolve(dotted.rsplit(".", 1)[0]) is not None:
            if kwargs.get("freeze", True) is True:   # frozen: no trainable parameters, size unseen
                self.frozen_pretrained.append(f"{dotted}(...)")
            else:
                self.problem(f"{dotted}(...)")  # sized by a pretrained matrix nlqa cannot see
            return Unknown(_short(node, 60))
        if last == "from_pretrained" and args and isinstance(args[0], str):
            what = _short(node, 60)
            self.checkpoints[what] = args[0]   # AutoModel.from_pretrained("gpt2"): a checkpoint, named
            return Unknown(what)
        if resolved is None and last in DATA_FUNCTIONS and dotted.split(".")[0] in DATA_ROOTS:
            dims = args[0] if len(args) == 1 and isinstance(args[0], (tuple, list)) else kwargs.get("shape", args)
            if isinstance(dims, (tuple, list)) and len(dims) >= 2 and all(
                    isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in dims):
                return Tensor((), tuple(dims), batch=True)
            return Tensor()
        if resolved is None:
            tensors = [a for a in args if isinstance(a, Tensor)]
            if len(tensors) >= 2 or (args and isinstance(args[0], (list, tuple)) and
                                     sum(isinstance(t, Tensor) for t in args[0]) >= 2):
                inputs = tensors if len(tensors) >= 2 else [t for t in args[0] if isinstance(t, Tensor)]
                return self.merge(inputs, "concat" if "cat" in last.lower() or "stack" in last.lower() else "add")
            if tensors:
                if last.lower() == "flatten" and self.forward_flat is not None:
                    self.forward_uses.append(FLATTEN_MARK)
                return tensors[0]
            root = dotted.split(".")[0]
            layerish = last[:1].isupper() and (root in LAYERISH_ROOTS or "." not in dotted) and last != "OrderedDict"
            return Unknown(_short(node, 60), layerish=layerish)
        namespace, key, entry = resolved
        role = entry.get("role")
        if namespace == "torch":
            self.reading.frameworks.add("pytorch")
        elif dotted != key and role not in ("tensor", "tensor_of", "ignore"):
            self.reading.frameworks.add("keras")
        if role == "container":
            return self.container(namespace, key, args, kwargs)
        if role == "input":
            shape = kwargs.get("shape", kwargs.get("input_shape", args[0] if args else None))
            shape = batch_shape(kwargs, namespace, entry) if shape is None else shape  # Input(batch_shape=...)
            shape = (shape,) if isinstance(shape, int) else shape
            shape = tuple(shape) if isinstance(shape, (tuple, list)) and all(
                d is None or isinstance(d, int) for d in shape) else None
            if shape is not None:
                self.inputs.append(shape)
            else:
                given = next((k.value for k in node.keywords if k.arg in ("shape", "batch_shape", "input_shape")),
                             node.args[0] if node.args else None)
                if given is not None:   # Input(shape=X_train.shape[1:]) with X_train's shape never given
                    self.reading.unknown_args.append(f"the value of {_short(given, 60)} in {_short(node, 60)}")
            return Tensor((), shape)
        if role == "model":
            return self.functional(args, kwargs)
        if role in ("merge", "merge_fn"):
            op = entry.get("op", "add")
            if role == "merge_fn":
                inputs = args[0] if args and isinstance(args[0], (list, tuple)) else args
                return self.merge([t for t in inputs if isinstance(t, Tensor)], op)
            return Layer([], _short(node, 60), merge=op)
        if role == "wrapper":
            inner = kwargs.get("layer", args[0] if args else None)
            if not isinstance(inner, Layer):
                return Unknown(_short(node, 60), layerish=True)
            changes = dict(entry.get("sets", {}))
            mode = kwargs.get("merge_mode", args[1] if len(args) > 1 else None)
            if isinstance(mode, str):
                changes["merge_mode"] = mode
            shape = kwargs.get("input_shape")
            shape = tuple(shape) if isinstance(shape, (tuple, list)) and all(
                d is None or isinstance(d, int) for d in shape) else None
            layers = [CodeLayer(c.spec.with_(**changes), c.framework, c.input_shape or shape, c.source)
                      for c in inner.layers[:1]] + inner.layers[1:]
            return self.made(Layer(layers, _short(node, 60)), key, kwargs)
        if role == "ignore":
            return Layer([], _short(node, 60))
        if role == "stack":  # nn.TransformerEncoder(layer, num_layers=6[, norm=...]): the layer repeated
            inner = kwargs.get("encoder_layer", kwargs.get("decoder_layer", args[0] if args else None))
            times = kwargs.get("num_layers", args[1] if len(args) > 1 else None)
            norm = kwargs.get("norm", args[2] if len(args) > 2 else None)
            if not isinstance(inner, Layer) or not inner.layers or not isinstance(times, int) or not 0 < times <= 1000:
                return Unknown(_short(node, 60), layerish=True)
            first = inner.layers[0]
            layers = [CodeLayer(first.spec.with_(repeat=first.spec.repeat * times), first.framework,
                                first.input_shape, first.source)] + inner.layers[1:]
            if isinstance(norm, Layer):
                layers += norm.layers
            return Layer(layers, _short(node, 60))
        synthetic = self.synthetic(dotted, node, args, kwargs, env)
        found = self.reader.call(synthetic)
        if role in ("tensor", "tensor_of"):
            shape = tensor_shape(synthetic)
            layout = "channels_first" if namespace == "torch" else "channels_last"
            return Tensor((), shape, batch=True, layout=layout) if shape else Tensor()
        self.layer_count += max(len(found), 1)
        if self.layer_count > MAX_LAYERS:
            raise Abort(f"more than {MAX_LAYERS:,} layers (nlqa reads at most {MAX_LAYERS:,})")
        return self.made(Layer(found, _short(synthetic, 60)), key, kwargs)

    def synthetic(self, dotted: str, node: ast.Call, args: list, kwargs: dict, env: dict) -> ast.Call:
        """The call with every argument nlqa could work out written as a literal."""
        positional: list[ast.expr] = []
        originals = [a for a in node.args if not isinstance(a, ast.Starred)]
        starred = any(isinstance(a, ast.Starred) for a in node.args)
        for i, value in enumerate(args):
            original = originals[i] if not starred and i < len(originals) else ast.Name("_", ast.Load())
            positional.append(_literal_node(value) if _is_literal(value) else original)
        keywords = []
        written = {k.arg: k.value for k in node.keywords if k.arg}
        for name, value in kwargs.items():
            original = written.get(name, ast.Name(name, ast.Load()))
            keywords.append(ast.keyword(name, _literal_node(value) if _is_literal(value) else original))
        written = _short(node.func, 200)
        same = _resolve(written) is not None and _resolve(written)[:2] == _resolve(dotted)[:2]
        call = ast.Call(node.func if same else _dotted_node(dotted), positional, keywords)
        return ast.fix_missing_locations(call)

    def container(self, namespace: str, key: str, args: list, kwargs: dict) -> Model:
        model = Model("list" if key in ("ModuleList", "ModuleDict") else "sequential", namespace=namespace)
        if namespace == "torch":
            items = args
            if len(args) == 1 and isinstance(args[0], dict):
                items = list(args[0].values())
            elif key in ("ModuleList", "ModuleDict") and args:
                inner = args[0]
                items = list(inner.values()) if isinstance(inner, dict) else self.iterate(inner) or []
        else:
            first = kwargs.get("layers", args[0] if args else None)
            items = self.iterate(first) if first is not None else []
            if items is None:
                items = [Unknown("layers", layerish=True)]
        for item in items:
            self.add_item(model, item)
        return model

    def functional(self, args: list, kwargs: dict) -> Any:
        inputs = kwargs.get("inputs", kwargs.get("input", args[0] if args else None))   # Keras 1: input=, output=
        outputs = kwargs.get("outputs", kwargs.get("output", args[1] if len(args) > 1 else None))
        if inputs is None and outputs is None:
            return Model("sequential")
        if isinstance(inputs, (list, tuple)) and len(inputs) == 1:
            inputs = inputs[0]
        if isinstance(outputs, (list, tuple)) and len(outputs) == 1:
            outputs = outputs[0]
        if isinstance(inputs, dict) or isinstance(outputs, dict) or isinstance(inputs, (list, tuple)) \
                or isinstance(outputs, (list, tuple)):
            self.problem("a functional model with several inputs or outputs")
            return Unknown()
        if not isinstance(outputs, Tensor):
            return Unknown("keras.Model(...)")
        if outputs.branched:
            self.problem(f"a functional model with {outputs.branched}")
        shape = inputs.shape if isinstance(inputs, Tensor) else outputs.shape
        return Model("functional", list(outputs.path), "keras", shape)
