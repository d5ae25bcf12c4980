"""Rebuild every convention of docs/conventions.md in PyTorch and Keras and record the counts.

Run with an oracle venv that has torch and keras (never nlqa's own; nlqa never imports them):

    KERAS_BACKEND=jax /path/to/oracle/bin/python docs/check_conventions.py > tests/data/conventions_checked.jsonl

Each output line is one check: the convention (as named in docs/conventions.md), the question nlqa
is asked, the framework it is asked with, the quantity, the value the framework itself reports and
how it was built. ``tests/test_conventions.py`` asks nlqa each question and compares.
"""

from __future__ import annotations

import json
import sys


def torch_count(module, trainable_only: bool = False) -> int:
    return sum(p.numel() for p in module.parameters() if p.requires_grad or not trainable_only)


def keras_counts(layers, input_shape) -> tuple[int, int, list]:
    import keras
    model = keras.Sequential([keras.Input(shape=input_shape), *layers])
    total = model.count_params()
    trainable = sum(int(w.numpy().size) for w in model.trainable_weights)
    return total, trainable, list(model.output_shape[1:])


def checks():
    import keras
    import torch.nn as nn
    L = keras.layers

    def t(convention, question, module, how, framework="pytorch", quantity="total_parameters", value=None):
        return dict(convention=convention, question=question, framework=framework, quantity=quantity,
                    value=torch_count(module) if value is None else value, oracle=f"torch {how}")

    def k(convention, question, layers, shape, how, quantity="total_parameters", framework="keras"):
        total, trainable, out = keras_counts(layers, shape)
        value = {"total_parameters": total, "trainable_parameters": trainable,
                 "non_trainable_parameters": total - trainable, "output_shape": out}[quantity]
        return dict(convention=convention, question=question, framework=framework, quantity=quantity,
                    value=value, oracle=f"keras {how}")

    yield t("dense", "How many parameters does nn.Linear(10, 5) have?", nn.Linear(10, 5), "nn.Linear(10, 5)")
    yield k("dense", "A Keras Dense layer with 5 units takes 10 inputs. How many parameters?",
            [L.Dense(5)], (10,), "Dense(5) on (10,)")
    yield k("dense, no bias", "A Keras Dense layer of 5 units without bias on 10 inputs: how many parameters?",
            [L.Dense(5, use_bias=False)], (10,), "Dense(5, use_bias=False) on (10,)")
    yield k("SimpleRNN", "In Keras, a SimpleRNN layer with 6 units gets 3 features per time step. How many parameters?",
            [L.SimpleRNN(6)], (None, 3), "SimpleRNN(6) on (None, 3)")
    yield t("SimpleRNN", "How many parameters does nn.RNN(3, 6) have?", nn.RNN(3, 6), "nn.RNN(3, 6)")
    yield k("LSTM", "In Keras, an LSTM layer with 20 units gets 10 features per time step. How many parameters?",
            [L.LSTM(20)], (None, 10), "LSTM(20) on (None, 10)")
    yield t("LSTM", "How many parameters does nn.LSTM(10, 20) have?", nn.LSTM(10, 20), "nn.LSTM(10, 20)")
    yield k("GRU (reset_after)", "In Keras, a GRU layer with 20 units gets 10 features per time step. How many parameters?",
            [L.GRU(20)], (None, 10), "GRU(20) on (None, 10)")
    yield t("GRU", "How many parameters does nn.GRU(10, 20) have?", nn.GRU(10, 20), "nn.GRU(10, 20)")
    yield t("stacked recurrent layers", "How many parameters does nn.LSTM(input_size=10, hidden_size=20, num_layers=2) have?",
            nn.LSTM(10, 20, num_layers=2), "nn.LSTM(10, 20, num_layers=2)")
    yield k("bidirectional", "In Keras, a bidirectional LSTM layer with 8 units gets 4 features per time step. How many parameters?",
            [L.Bidirectional(L.LSTM(8))], (None, 4), "Bidirectional(LSTM(8)) on (None, 4)")
    yield t("bidirectional", "How many parameters does nn.LSTM(4, 8, bidirectional=True) have?",
            nn.LSTM(4, 8, bidirectional=True), "nn.LSTM(4, 8, bidirectional=True)")
    yield t("LSTM projection", "How many parameters does nn.LSTM(10, 20, proj_size=5) have?",
            nn.LSTM(10, 20, proj_size=5), "nn.LSTM(10, 20, proj_size=5)")
    yield k("keras input_shape (T, F)", "model = keras.Sequential([keras.layers.SimpleRNN(10, input_shape=(3, 1))]); how many parameters?",
            [L.SimpleRNN(10)], (3, 1), "SimpleRNN(10) on (3, 1)")
    yield t("convolution", "How many parameters does nn.Conv2d(3, 16, 3) have?", nn.Conv2d(3, 16, 3), "nn.Conv2d(3, 16, 3)")
    yield k("convolution", "A Keras Conv2D layer with 16 filters of 3x3 on 28x28 grayscale images: how many parameters?",
            [L.Conv2D(16, 3)], (28, 28, 1), "Conv2D(16, 3) on (28, 28, 1)")
    yield t("Conv1D", "How many parameters does nn.Conv1d(8, 16, 5) have?", nn.Conv1d(8, 16, 5), "nn.Conv1d(8, 16, 5)")
    yield t("Conv3D", "How many parameters does nn.Conv3d(2, 4, 3) have?", nn.Conv3d(2, 4, 3), "nn.Conv3d(2, 4, 3)")
    yield k("convolution output, valid padding", "What is the output shape of a Keras Conv2D layer with 8 filters of 3x3 on a 32x32x3 input?",
            [L.Conv2D(8, 3)], (32, 32, 3), "Conv2D(8, 3) on (32, 32, 3)", quantity="output_shape")
    yield k("convolution output, same padding", "What is the output shape of a Keras Conv2D layer with 8 filters of 3x3, stride 2 and padding same, on a 32x32x3 input?",
            [L.Conv2D(8, 3, strides=2, padding="same")], (32, 32, 3), "Conv2D(8, 3, strides=2, padding='same') on (32, 32, 3)",
            quantity="output_shape")
    yield k("pooling 2x2, stride = window", "What is the output shape after a Keras MaxPooling2D layer on a 30x30x8 input?",
            [L.MaxPooling2D()], (30, 30, 8), "MaxPooling2D() on (30, 30, 8)", quantity="output_shape")
    yield k("depthwise convolution", "model = keras.Sequential([keras.Input((32, 32, 8)), keras.layers.DepthwiseConv2D(3)]). How many parameters?",
            [L.DepthwiseConv2D(3)], (32, 32, 8), "DepthwiseConv2D(3) on (32, 32, 8)")
    yield k("separable convolution", "model = keras.Sequential([keras.Input((32, 32, 8)), keras.layers.SeparableConv2D(16, 3)]). How many parameters?",
            [L.SeparableConv2D(16, 3)], (32, 32, 8), "SeparableConv2D(16, 3) on (32, 32, 8)")
    yield t("transposed convolution", "How many parameters does nn.ConvTranspose2d(8, 16, 3) have?",
            nn.ConvTranspose2d(8, 16, 3), "nn.ConvTranspose2d(8, 16, 3)")
    yield k("dense after conv (implied Flatten)", "In Keras, a Conv2D layer with 4 filters of 3x3 on 10x10x1 inputs, then Flatten and a Dense layer of 2 units. How many parameters?",
            [L.Conv2D(4, 3), L.Flatten(), L.Dense(2)], (10, 10, 1), "Conv2D(4, 3), Flatten(), Dense(2) on (10, 10, 1)")
    yield k("BatchNorm (keras)", "In Keras, BatchNormalization over 32 features: how many parameters?",
            [L.BatchNormalization()], (32,), "BatchNormalization() on (32,)")
    yield k("BatchNorm (keras)", "In Keras, BatchNormalization over 32 features: how many trainable parameters?",
            [L.BatchNormalization()], (32,), "BatchNormalization() on (32,)", quantity="trainable_parameters")
    yield k("BatchNorm (keras)", "In Keras, BatchNormalization over 32 features: how many non-trainable parameters?",
            [L.BatchNormalization()], (32,), "BatchNormalization() on (32,)", quantity="non_trainable_parameters")
    yield t("BatchNorm (pytorch)", "How many parameters does nn.BatchNorm2d(32) have?", nn.BatchNorm2d(32), "nn.BatchNorm2d(32)")
    yield t("LayerNorm", "How many parameters does nn.LayerNorm(64) have?", nn.LayerNorm(64), "nn.LayerNorm(64)")
    yield t("embedding", "How many parameters does nn.Embedding(1000, 64) have?", nn.Embedding(1000, 64), "nn.Embedding(1000, 64)")
    yield k("frozen embedding", "A Keras Embedding(1000, 64, trainable=False) layer followed by GlobalAveragePooling1D and Dense(1): how many trainable parameters?",
            [L.Embedding(1000, 64, trainable=False), L.GlobalAveragePooling1D(), L.Dense(1)], (20,),
            "Embedding(1000, 64, trainable=False), GlobalAveragePooling1D(), Dense(1) on (20,)",
            quantity="trainable_parameters")
    yield t("attention", "How many parameters does nn.MultiheadAttention(64, 8) have?",
            nn.MultiheadAttention(64, 8), "nn.MultiheadAttention(64, 8)")
    yield t("attention, kdim/vdim", "How many parameters does nn.MultiheadAttention(64, 8, kdim=32, vdim=32) have?",
            nn.MultiheadAttention(64, 8, kdim=32, vdim=32), "nn.MultiheadAttention(64, 8, kdim=32, vdim=32)")
    mha = L.MultiHeadAttention(num_heads=4, key_dim=8)
    import numpy as np
    x = np.zeros((1, 5, 64), dtype="float32")
    mha(x, x)
    yield dict(convention="attention (keras key_dim)", framework="keras", quantity="total_parameters",
               question="A Keras MultiHeadAttention(num_heads=4, key_dim=8) layer on inputs of width 64: how many parameters?",
               value=mha.count_params(), oracle="keras MultiHeadAttention(num_heads=4, key_dim=8) called on (1, 5, 64)")
    yield t("transformer encoder layer (pytorch default 2048)",
            "How many parameters does nn.TransformerEncoderLayer(d_model=512, nhead=8) have?",
            nn.TransformerEncoderLayer(d_model=512, nhead=8), "nn.TransformerEncoderLayer(d_model=512, nhead=8)")
    yield t("transformer decoder layer", "How many parameters does nn.TransformerDecoderLayer(d_model=256, nhead=4, dim_feedforward=1024) have?",
            nn.TransformerDecoderLayer(d_model=256, nhead=4, dim_feedforward=1024),
            "nn.TransformerDecoderLayer(d_model=256, nhead=4, dim_feedforward=1024)")
    yield k("PReLU (keras: one alpha per element)", "A Keras model: Dense(10) on 4 inputs followed by PReLU(). How many parameters?",
            [L.Dense(10), L.PReLU()], (4,), "Dense(10), PReLU() on (4,)")
    yield t("PReLU (pytorch: one alpha)", "How many parameters does nn.Sequential(nn.Linear(4, 10), nn.PReLU()) have?",
            nn.Sequential(nn.Linear(4, 10), nn.PReLU()), "nn.Sequential(nn.Linear(4, 10), nn.PReLU())")


if __name__ == "__main__":
    for row in checks():
        sys.stdout.write(json.dumps(row) + "\n")
