"""Named models as network specs: each layout turns a published configuration into blocks.

A registry entry (``grammars/models/*.toml``) gives a layout and a configuration; ``build_model``
returns the :class:`NetworkSpec` the counting core counts, so every total comes from the
configuration, never from a stored number. Layouts:

- ``decoder``: open LLMs (Llama, Mistral, Mixtral, Qwen2, Gemma, Phi): token embedding, L blocks,
  a final norm, an output head (tied or not);
- ``t5``: encoder-decoder with a shared embedding and relative position biases;
- ``bert`` (BERT, RoBERTa, DistilBERT), ``albert``, ``gpt`` (GPT-2), ``vit``;
- ``resnet``, ``vgg``, ``sequential`` (AlexNet, LeNet-5), ``mobilenetv2``, ``efficientnet``, ``densenet``,
  ``inception``: torchvision's definitions.
"""

from __future__ import annotations

from typing import Any, Callable

from ..errors import SpecError
from .spec import LayerSpec, NetworkSpec

Config = dict[str, Any]
LAYOUTS: dict[str, Callable[[Config], NetworkSpec]] = {}


def layout(name: str):
    def register(func):
        LAYOUTS[name] = func
        return func
    return register


def build_model(name: str, config: Config) -> NetworkSpec:
    """The spec of a model of layout ``name`` with configuration ``config``."""
    if name not in LAYOUTS:
        raise SpecError(f"nlqa has no layout {name!r} for named models.")
    try:
        return LAYOUTS[name](config)
    except KeyError as exc:
        raise SpecError(f"the {name} configuration lacks {exc.args[0]!r}.") from None


def _head(c: Config, d_name: str = "output head") -> LayerSpec:
    if c.get("tied", False):
        return LayerSpec("LMHead", vocab=c["vocab"], tied=True, name=d_name)
    return LayerSpec("Dense", c["vocab"], bias=c.get("head_bias", False), name=d_name)


def _block(c: Config, layers: int, cross: bool = False, name: str = "transformer blocks") -> LayerSpec:
    return LayerSpec("TransformerBlock", c["width"], heads=c["heads"], kv_heads=c.get("kv_heads"),
                     head_dim=c.get("head_dim"), ff=c["ff"], gated=c.get("gated", False), rms=c.get("rms", False),
                     bias=c.get("bias", False), qkv_bias=c.get("qkv_bias", False), parallel=c.get("parallel", False),
                     experts=c.get("experts", 0), active_experts=c.get("active_experts", 0), cross=cross,
                     repeat=layers, name=name)


def _final_norm(c: Config, name: str = "final norm") -> LayerSpec:
    return LayerSpec("RMSNorm" if c.get("rms", False) else "LayerNormalization", name=name)


@layout("decoder")
def decoder(c: Config) -> NetworkSpec:
    layers = [LayerSpec("TokenEmbeddings", c["width"], vocab=c["vocab"], center=False, name="token embedding"),
              _block(c, c["layers"]), _final_norm(c), _head(c)]
    return NetworkSpec((None,), tuple(layers), "pytorch")


@layout("t5")
def t5(c: Config) -> NetworkSpec:
    bias = LayerSpec("RelativePositionBias", positions=c["buckets"], heads=c["heads"],
                     name="relative position bias")
    layers = [LayerSpec("TokenEmbeddings", c["width"], vocab=c["vocab"], center=False, name="shared embedding"),
              bias.with_(name="encoder relative position bias"),
              _block(c, c["layers"], name="encoder blocks"), _final_norm(c, "encoder final norm"),
              bias.with_(name="decoder relative position bias"),
              _block(c, c.get("decoder_layers", c["layers"]), cross=True, name="decoder blocks"),
              _final_norm(c, "decoder final norm"), _head(c)]
    return NetworkSpec((None,), tuple(layers), "pytorch")


def _encoder_layers(c: Config, repeat: int, name: str = "transformer layers") -> LayerSpec:
    return LayerSpec("TransformerEncoderLayer", c["width"], heads=c["heads"], ff=c["ff"], repeat=repeat, name=name)


@layout("bert")
def bert(c: Config) -> NetworkSpec:
    layers = [LayerSpec("TokenEmbeddings", c["width"], vocab=c["vocab"], positions=c["positions"],
                        segments=c.get("segments", 0), name="embeddings"), _encoder_layers(c, c["layers"])]
    if c.get("pooler", False):
        layers.append(LayerSpec("Pooler", name="pooler"))
    return NetworkSpec((c["positions"],), tuple(layers), "pytorch")


@layout("albert")
def albert(c: Config) -> NetworkSpec:
    e = c["embedding"]
    layers = [LayerSpec("TokenEmbeddings", e, vocab=c["vocab"], positions=c["positions"],
                        segments=c.get("segments", 0), name="embeddings"),
              LayerSpec("Dense", c["width"], name="embedding projection"),
              _encoder_layers(c, 1, f"one encoder layer, shared by all {c['layers']} layers"),
              LayerSpec("Pooler", name="pooler")]
    return NetworkSpec((c["positions"],), tuple(layers), "pytorch")


@layout("gpt")
def gpt(c: Config) -> NetworkSpec:
    layers = [LayerSpec("TokenEmbeddings", c["width"], vocab=c["vocab"], positions=c["positions"], center=False,
                        name="embeddings"), _encoder_layers(c, c["layers"]),
              LayerSpec("LayerNormalization", name="final LayerNorm"),
              LayerSpec("LMHead", vocab=c["vocab"], tied=c.get("tied", True), name="LM head")]
    return NetworkSpec((c["positions"],), tuple(layers), "pytorch")


@layout("vit")
def vit(c: Config) -> NetworkSpec:
    layers = [LayerSpec("PatchEmbedding", c["width"], patch=c["patch"], image=c["image"],
                        channels=c.get("channels", 3), name="patch embedding"), _encoder_layers(c, c["layers"]),
              LayerSpec("LayerNormalization", name="final LayerNorm")]
    if c.get("classes"):
        layers.append(LayerSpec("Dense", c["classes"], name="classification head"))
    return NetworkSpec((c["image"], c["image"], c.get("channels", 3)), tuple(layers), "pytorch")


# -- CNNs (torchvision) ------------------------------------------------------------------------

def _conv(units: int, kernel: int, stride: int = 1, padding: int = 0, bias: bool = False, bn: bool = True,
          groups: int = 1, name: str = "") -> LayerSpec:
    return LayerSpec("ConvBN", units, kernel=(kernel, kernel), strides=(stride, stride), padding=(padding, padding),
                     bias=bias, batchnorm=bn, groups=groups, name=name or f"{kernel}×{kernel} convolution")


def _pool(size: int, stride: int, padding: int = 0, name: str = "max pooling") -> LayerSpec:
    return LayerSpec("Pool2d", pool=(size, size), strides=(stride, stride), padding=(padding, padding), name=name)


def _image(c: Config) -> tuple:
    side = c.get("image", 224)
    return (side, side, c.get("channels", 3))


def _classifier(c: Config, width: int | None = None) -> list[LayerSpec]:
    return [LayerSpec("AdaptivePool", pool=(1, 1), name="global average pooling"),
            LayerSpec("Dense", c["classes"], name="classifier")]


@layout("resnet")
def resnet(c: Config) -> NetworkSpec:
    kind = "Bottleneck" if c["block"] == "bottleneck" else "BasicBlock"
    layers = [_conv(64, 7, 2, 3, name="stem 7×7 convolution"), _pool(3, 2, 1)]
    for i, (planes, blocks) in enumerate(zip(c["planes"], c["blocks"])):
        layers.append(LayerSpec(kind, planes, repeat=blocks, strides=(1, 1) if i == 0 else (2, 2),
                                expansion=4 if kind == "Bottleneck" else 1, name=f"stage {i + 1}"))
    return NetworkSpec(_image(c), tuple(layers + _classifier(c)), "pytorch")


@layout("vgg")
def vgg(c: Config) -> NetworkSpec:
    layers = []
    for item in c["convs"]:
        if item == "M":
            layers.append(_pool(2, 2))
        else:
            layers.append(_conv(item, 3, 1, 1, bias=True, bn=c.get("batchnorm", False)))
    layers += [LayerSpec("AdaptivePool", pool=(7, 7), name="adaptive average pooling 7×7"),
               LayerSpec("Flatten", name="flatten"), LayerSpec("Dense", 4096, name="fc6"),
               LayerSpec("Dense", 4096, name="fc7"), LayerSpec("Dense", c["classes"], name="classifier")]
    return NetworkSpec(_image(c), tuple(layers), "pytorch")


@layout("sequential")
def sequential(c: Config) -> NetworkSpec:
    """Layers listed in the configuration: conv (units, kernel, stride, padding), pool, adaptive, flatten, dense."""
    layers = []
    for item in c["stack"]:
        kind = item["kind"]
        if kind == "conv":
            layers.append(_conv(item["units"], item["kernel"], item.get("stride", 1), item.get("padding", 0),
                                bias=True, bn=False))
        elif kind == "pool":
            layers.append(_pool(item["size"], item.get("stride", item["size"])))
        elif kind == "adaptive":
            layers.append(LayerSpec("AdaptivePool", pool=(item["size"], item["size"]), name="adaptive average pooling"))
        elif kind == "flatten":
            layers.append(LayerSpec("Flatten", name="flatten"))
        elif kind == "dense":
            layers.append(LayerSpec("Dense", item["units"], name="fully connected"))
        else:
            raise SpecError(f"the sequential layout has no layer kind {kind!r}.")
    layers.append(LayerSpec("Dense", c["classes"], name="classifier"))
    return NetworkSpec(_image(c), tuple(layers), "pytorch")


@layout("mobilenetv2")
def mobilenetv2(c: Config) -> NetworkSpec:
    layers = [_conv(c["stem"], 3, 2, 1, name="stem 3×3 convolution")]
    for i, (t, out, n, s) in enumerate(c["stages"]):
        layers.append(LayerSpec("InvertedResidual", out, expansion=t, repeat=n, strides=(s, s), kernel=(3, 3),
                                name=f"inverted residual stage {i + 1}"))
    layers.append(_conv(c["last"], 1, name="last 1×1 convolution"))
    return NetworkSpec(_image(c), tuple(layers + _classifier(c)), "pytorch")


@layout("efficientnet")
def efficientnet(c: Config) -> NetworkSpec:
    layers = [_conv(c["stem"], 3, 2, 1, name="stem 3×3 convolution")]
    for i, (t, k, s, out, n) in enumerate(c["stages"]):
        layers.append(LayerSpec("InvertedResidual", out, expansion=t, repeat=n, strides=(s, s), kernel=(k, k),
                                se_divisor=c["se_divisor"], name=f"MBConv stage {i + 1}"))
    layers.append(_conv(c["last"], 1, name="head 1×1 convolution"))
    return NetworkSpec(_image(c), tuple(layers + _classifier(c)), "pytorch")


@layout("densenet")
def densenet(c: Config) -> NetworkSpec:
    layers = [_conv(c["stem"], 7, 2, 3, name="stem 7×7 convolution"), _pool(3, 2, 1)]
    channels = c["stem"]
    for i, n in enumerate(c["blocks"]):
        layers.append(LayerSpec("DenseBlock", c["growth"], repeat=n, expansion=c["bn_size"], name=f"dense block {i + 1}"))
        channels += n * c["growth"]
        if i + 1 < len(c["blocks"]):
            channels //= 2
            layers.append(LayerSpec("Transition", channels, name=f"transition {i + 1}"))
    layers.append(LayerSpec("BatchNormalization", name="final BatchNorm"))
    return NetworkSpec(_image(c), tuple(layers + _classifier(c)), "pytorch")


def _branches(raw) -> tuple:
    """Inception branches from the configuration's lists into tuples."""
    out = []
    for branch in raw:
        steps = []
        for step in branch:
            if step == "pool":
                steps.append("pool")
            elif step and step[0] == "split":
                steps.append(("split",) + tuple(tuple(p) for p in step[1:]))
            else:
                steps.append(tuple(step))
        out.append(tuple(steps))
    return tuple(out)


@layout("inception")
def inception(c: Config) -> NetworkSpec:
    """Stem convolutions and pools, Inception modules, the auxiliary classifier where it attaches, a head."""
    modules = c["modules"]
    layers = []
    for item in c["stem"]:
        if item == "M":
            layers.append(_pool(3, 2))
        else:
            units, k, stride, pad = item
            layers.append(_conv(units, k, stride, pad, name=f"stem {k}×{k} convolution"))
    for name in c["order"]:
        if name == "aux":
            layers.append(LayerSpec("AuxClassifier", c["classes"], name="auxiliary classifier"))
            continue
        module = modules[name]
        layers.append(LayerSpec("InceptionModule", branches=_branches(module["branches"]),
                                strides=(module.get("stride", 1),) * 2, name=f"{name} ({module['type']})"))
    return NetworkSpec(_image(c), tuple(layers + _classifier(c)), "pytorch")
