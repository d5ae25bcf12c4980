"""Names of layer kinds and the families one word may name."""

from __future__ import annotations

from .attributes import CONV_KINDS, POOL_KINDS

KIND_NAMES = {"Dense": "dense", "SimpleRNN": "recurrent (SimpleRNN)", "LSTM": "LSTM", "GRU": "GRU",
              "Flatten": "Flatten", "Dropout": "Dropout", "Activation": "activation",
              "Conv": "convolutional", "Conv1D": "1D convolutional", "Conv2D": "convolutional",
              "Conv3D": "3D convolutional", "DepthwiseConv2D": "depthwise convolutional",
              "SeparableConv2D": "separable convolutional", "Conv2DTranspose": "transposed convolutional",
              "MaxPool": "max pooling", "AvgPool": "average pooling", "GlobalAvgPool": "global average pooling",
              "GlobalMaxPool": "global max pooling", "BatchNormalization": "batch normalization",
              "LayerNormalization": "layer normalization", "Embedding": "embedding",
              "GPTBlock": "transformer decoder block (GPT: masked self-attention, no cross-attention)",
              "DotAttention": "dot-product attention (Keras Attention)"}
UNSUPPORTED_NAMES = {"?Attention": "stacked transformer (nn.TransformerEncoder / nn.Transformer)"}
STRUCTURAL_KINDS = CONV_KINDS | POOL_KINDS | {"GlobalAvgPool", "GlobalMaxPool", "BatchNormalization",
                                             "LayerNormalization", "Embedding", "Flatten", "Dropout",
                                             "Activation", "DotAttention"}
GENERIC_KINDS = {"Conv": "Conv{d}D", "MaxPool": "MaxPooling{d}D", "AvgPool": "AveragePooling{d}D",
                 "GlobalAvgPool": "GlobalAveragePooling{d}D", "GlobalMaxPool": "GlobalMaxPooling{d}D"}
SPATIAL_KINDS = {"Conv1D", "Conv2D", "Conv3D", "DepthwiseConv2D", "SeparableConv2D", "Conv2DTranspose",
                 "MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D", "AveragePooling2D",
                 "AveragePooling3D"}
PARAMETER_FREE = {"MaxPool", "AvgPool", "GlobalAvgPool", "GlobalMaxPool", "Flatten", "Dropout", "Activation",
                  "MaxPooling2D", "AveragePooling2D", "DotAttention"}
SIZED_KINDS = {"Dense", "SimpleRNN", "LSTM", "GRU", "Embedding"}
SHAPE_ONLY_KINDS = {"Flatten", "Dropout", "Activation", "MaxPool", "AvgPool", "GlobalAvgPool", "GlobalMaxPool",
                    "DotAttention"}
ORDINAL_WORDS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth"}


def _kind_matches(named: str, kind: str) -> bool:
    """Whether a layer kind the question names ("conv", "max pooling") fits a counted kind."""
    if named == kind:
        return True
    if named in GENERIC_KINDS:
        return kind.startswith(GENERIC_KINDS[named].split("{")[0])
    return named == "Conv" and kind in CONV_KINDS or named in ("Dense",) and kind == "Dense"


def _family(kind: str | None) -> str:
    """Layer kinds that one word may name: "conv" is any convolution, "RNN" any recurrent layer."""
    if kind in CONV_KINDS or (kind or "").startswith("Conv"):
        return "conv"
    if kind in ("SimpleRNN", "LSTM", "GRU"):
        return "recurrent"
    return kind or ""


def _ordinal(n: int) -> str:
    return ORDINAL_WORDS.get(n, f"#{n}")


