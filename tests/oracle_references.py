"""Framework references for the layer kinds nlqa's exporter does not write: the blocks of named models.

Each ``torch_<Kind>(spec, shape, history)`` builds one layer as the library that defines it does
(Hugging Face transformers for the LLM, T5, BERT, GPT-2 and ViT pieces; torchvision for the CNN
blocks), from plain ``torch.nn`` modules and the layer's hyperparameters only: no count of nlqa's
is used. The module takes and returns channels-last tensors with a batch axis (the core's layout);
image blocks move the channels first inside. ``history`` holds the inputs of the layers so far (a
residual ``Add`` reads its shortcut there). Keras references (``keras_<Kind>``) are functional-API
calls on the symbolic tensor ``x`` and return ``(output, [layers])``.

Imported by tests/test_oracle.py only, after torch is known to be installed.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from nlqa.core.spec import LayerSpec


def _first(module: nn.Module, x):
    """Run a channels-first module on a channels-last tensor."""
    return module(x.movedim(-1, 1)).movedim(1, -1)


class Passthrough(nn.Module):
    """A layer whose output is its input; ``side`` is run on it (a side branch, checked for its shape)."""

    def __init__(self, side=None, **params):
        super().__init__()
        self.side_fn = side
        for name, p in params.items():
            setattr(self, name, p)

    def forward(self, x):
        if self.side_fn is not None:
            self.side_fn(self, x)
        return x


# -- transformer pieces (Hugging Face definitions) -----------------------------------------------

class Attention(nn.Module):
    """HF LlamaAttention / Qwen2Attention / T5Attention / MixtralAttention projections:
    q_proj d → h·k, k_proj and v_proj d → g·k, o_proj h·k → d; grouped-query heads repeated."""

    def __init__(self, d, heads, kv_heads, head_dim, qkv_bias, out_bias):
        super().__init__()
        self.h, self.g, self.k = heads, kv_heads, head_dim
        self.q_proj = nn.Linear(d, heads * head_dim, bias=qkv_bias)
        self.k_proj = nn.Linear(d, kv_heads * head_dim, bias=qkv_bias)
        self.v_proj = nn.Linear(d, kv_heads * head_dim, bias=qkv_bias)
        self.o_proj = nn.Linear(heads * head_dim, d, bias=out_bias)

    def forward(self, x, memory=None):
        memory = x if memory is None else memory
        n, t, _ = x.shape
        q = self.q_proj(x).view(n, t, self.h, self.k).transpose(1, 2)
        k = self.k_proj(memory).view(n, memory.shape[1], self.g, self.k).transpose(1, 2)
        v = self.v_proj(memory).view(n, memory.shape[1], self.g, self.k).transpose(1, 2)
        k = k.repeat_interleave(self.h // self.g, dim=1)
        v = v.repeat_interleave(self.h // self.g, dim=1)
        out = F.scaled_dot_product_attention(q, k, v).transpose(1, 2).reshape(n, t, self.h * self.k)
        return self.o_proj(out)


class GatedMLP(nn.Module):
    """HF LlamaMLP (SwiGLU) / T5DenseGatedActDense (GeGLU): gate_proj, up_proj d → f, down_proj f → d, no biases."""

    def __init__(self, d, f):
        super().__init__()
        self.gate_proj, self.up_proj, self.down_proj = nn.Linear(d, f, bias=False), nn.Linear(d, f, bias=False), \
            nn.Linear(f, d, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class PlainMLP(nn.Module):
    """HF PhiMLP / GPT-J MLP / T5DenseActDense: fc1 d → f, fc2 f → d (biases as the model has them)."""

    def __init__(self, d, f, bias):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(d, f, bias=bias), nn.Linear(f, d, bias=bias)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class SparseMoE(nn.Module):
    """HF MixtralSparseMoeBlock: a router ``gate`` d → E without bias, E SwiGLU experts, top-k routing."""

    def __init__(self, d, f, experts, top_k):
        super().__init__()
        self.top_k = top_k
        self.gate = nn.Linear(d, experts, bias=False)
        self.experts = nn.ModuleList(GatedMLP(d, f) for _ in range(experts))

    def forward(self, x):
        weights, chosen = torch.topk(self.gate(x).softmax(-1), self.top_k, dim=-1)
        out = torch.zeros_like(x)
        for e, expert in enumerate(self.experts):
            mask = (chosen == e).to(x.dtype) * weights
            out = out + expert(x) * mask.sum(-1, keepdim=True)
        return out


def _norm(d, rms):
    return nn.RMSNorm(d) if rms else nn.LayerNorm(d)


class DecoderLayer(nn.Module):
    """HF LlamaDecoderLayer (pre-norm; PhiDecoderLayer when ``parallel``: one norm for both branches;
    T5Block of a decoder when ``cross``: self-attention, cross-attention, feed-forward, a norm each)."""

    def __init__(self, s: LayerSpec, d):
        super().__init__()
        h = s.heads
        k = s.head_dim or d // h
        g = s.kv_heads or h
        self.parallel, self.cross = s.parallel, s.cross
        self.input_layernorm = _norm(d, s.rms)
        self.self_attn = Attention(d, h, g, k, s.bias or s.qkv_bias, s.bias)
        if s.cross:
            self.cross_layernorm = _norm(d, s.rms)
            self.cross_attn = Attention(d, h, h, k, s.bias or s.qkv_bias, s.bias)
        if not s.parallel:
            self.post_attention_layernorm = _norm(d, s.rms)
        if s.experts:
            self.mlp = SparseMoE(d, s.ff, s.experts, s.active_experts or s.experts)
        elif s.gated:
            self.mlp = GatedMLP(d, s.ff)
        else:
            self.mlp = PlainMLP(d, s.ff, s.bias)

    def forward(self, x):
        if self.parallel:
            y = self.input_layernorm(x)
            return x + self.self_attn(y) + self.mlp(y)
        x = x + self.self_attn(self.input_layernorm(x))
        if self.cross:
            x = x + self.cross_attn(self.cross_layernorm(x), memory=x)
        return x + self.mlp(self.post_attention_layernorm(x))


class Stack(nn.Module):
    def __init__(self, layers):
        super().__init__()
        self.layers = nn.ModuleList(layers)

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


def torch_TransformerBlock(s, shape, history):
    d = s.units or shape[-1]
    return Stack([DecoderLayer(s, d) for _ in range(s.repeat)])


def torch_RelativePositionBias(s, shape, history):
    """HF T5Attention.relative_attention_bias: nn.Embedding(num_buckets, n_heads) (first layer of a stack)."""
    def side(self, x):
        buckets = torch.randint(0, s.positions, (x.shape[1], x.shape[1]))
        assert tuple(self.relative_attention_bias(buckets).shape) == (x.shape[1], x.shape[1], s.heads)
    return Passthrough(side, relative_attention_bias=nn.Embedding(s.positions, s.heads))


class Embeddings(nn.Module):
    """HF BertEmbeddings (word, position, token type embeddings and a LayerNorm); GPT-2's wte + wpe and
    Llama's embed_tokens are the same without the parts they lack."""

    def __init__(self, s: LayerSpec):
        super().__init__()
        self.word_embeddings = nn.Embedding(s.vocab, s.units)
        self.position_embeddings = nn.Embedding(s.positions, s.units) if s.positions else None
        self.token_type_embeddings = nn.Embedding(s.segments, s.units) if s.segments else None
        self.LayerNorm = nn.LayerNorm(s.units) if s.center else None

    def forward(self, ids):
        x = self.word_embeddings(ids)
        positions = torch.arange(ids.shape[1])
        if self.position_embeddings is not None:
            x = x + self.position_embeddings(positions)
        if self.token_type_embeddings is not None:
            x = x + self.token_type_embeddings(torch.zeros_like(ids))
        return self.LayerNorm(x) if self.LayerNorm is not None else x


def torch_TokenEmbeddings(s, shape, history):
    return Embeddings(s)


class PatchEmbeddings(nn.Module):
    """HF ViTEmbeddings: a class token (1, 1, d), position embeddings (1, N + 1, d), and
    ViTPatchEmbeddings.projection = Conv2d(C, d, kernel_size=p, stride=p)."""

    def __init__(self, s: LayerSpec):
        super().__init__()
        n = (s.image // s.patch) ** 2
        self.cls_token = nn.Parameter(torch.zeros(1, 1, s.units))
        self.position_embeddings = nn.Parameter(torch.zeros(1, n + 1, s.units))
        self.projection = nn.Conv2d(s.channels or 3, s.units, kernel_size=s.patch, stride=s.patch)

    def forward(self, x):
        patches = self.projection(x.movedim(-1, 1)).flatten(2).transpose(1, 2)
        cls = self.cls_token.expand(x.shape[0], -1, -1)
        return torch.cat((cls, patches), dim=1) + self.position_embeddings


def torch_PatchEmbedding(s, shape, history):
    return PatchEmbeddings(s)


class LMHeadRef(nn.Module):
    """HF lm_head = nn.Linear(d, V, bias=False); tied: its weight *is* the input embedding's
    (``model.tie_weights()``), so ``model.parameters()`` lists it once."""

    def __init__(self, d, vocab, tie_to=None):
        super().__init__()
        self.lm_head = nn.Linear(d, vocab, bias=False)
        if tie_to is not None:
            self.lm_head.weight = tie_to.weight

    def forward(self, x):
        return self.lm_head(x)


def torch_LMHead(s, shape, history, earlier=()):
    emb = next((m.word_embeddings for m in earlier if isinstance(m, Embeddings)), None) if s.tied else None
    assert not s.tied or emb is not None, "a tied head needs the token embedding before it"
    return LMHeadRef(shape[-1], s.vocab, emb)


class PoolerRef(nn.Module):
    """HF BertPooler: dense d → d and tanh on the first token."""

    def __init__(self, d):
        super().__init__()
        self.dense = nn.Linear(d, d)

    def forward(self, x):
        return torch.tanh(self.dense(x[:, 0]))


def torch_Pooler(s, shape, history):
    return PoolerRef(shape[-1])


def torch_Parameter(s, shape, history):
    """A raw ``nn.Parameter`` registered on a module: not a step of the data flow."""
    return Passthrough(None, tensor=nn.Parameter(torch.zeros(*s.tensor)))


# -- CNN blocks (torchvision definitions) --------------------------------------------------------

def conv_bn(c_in, c_out, k, stride=1, padding=0, groups=1, bias=False, bn=True):
    """torchvision's Conv2dNormActivation / BasicConv2d: Conv2d then BatchNorm2d (buffers: running stats)."""
    layers = [nn.Conv2d(c_in, c_out, k, stride, padding, groups=groups, bias=bias)]
    if bn:
        layers.append(nn.BatchNorm2d(c_out))
    return nn.Sequential(*layers)


class ChannelsFirst(nn.Module):
    def __init__(self, body):
        super().__init__()
        self.body = body

    def forward(self, x):
        return _first(self.body, x)


def torch_ConvBN(s, shape, history):
    k = s.kernel[0] if s.kernel else 3
    st = s.strides[0] if s.strides else 1
    p = s.padding[0] if isinstance(s.padding, tuple) else 0
    return ChannelsFirst(conv_bn(shape[-1], s.units, k, st, p, s.groups, s.bias, s.batchnorm))


def torch_Pool2d(s, shape, history):
    k = s.pool[0]
    return ChannelsFirst(nn.MaxPool2d(k, s.strides[0] if s.strides else k,
                                      s.padding[0] if isinstance(s.padding, tuple) else 0))


class AdaptiveRef(nn.Module):
    """torchvision: ``self.avgpool = nn.AdaptiveAvgPool2d(o)``; for o = 1 ``torch.flatten(x, 1)`` follows."""

    def __init__(self, o):
        super().__init__()
        self.o = o
        self.avgpool = nn.AdaptiveAvgPool2d(o)

    def forward(self, x):
        x = self.avgpool(x.movedim(-1, 1))
        return torch.flatten(x, 1) if self.o == 1 else x.movedim(1, -1)


def torch_AdaptivePool(s, shape, history):
    return AdaptiveRef(s.pool[0] if s.pool else 1)


class BasicBlock(nn.Module):
    """torchvision.models.resnet.BasicBlock (expansion 1)."""

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample

    def forward(self, x):
        out = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        return F.relu(out + (x if self.downsample is None else self.downsample(x)))


class Bottleneck(nn.Module):
    """torchvision.models.resnet.Bottleneck (ResNet v1.5: the stride on the 3×3), width = planes."""

    def __init__(self, inplanes, planes, stride=1, downsample=None, expansion=4):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * expansion, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * expansion)
        self.downsample = downsample

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = F.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return F.relu(out + (x if self.downsample is None else self.downsample(x)))


def make_layer(block, inplanes, planes, blocks, stride, expansion):
    """torchvision ResNet._make_layer: a 1×1 conv + BatchNorm downsample where stride or width changes."""
    layers = []
    for i in range(blocks):
        s = stride if i == 0 else 1
        down = None
        if s != 1 or inplanes != planes * expansion:
            down = nn.Sequential(nn.Conv2d(inplanes, planes * expansion, 1, s, bias=False),
                                 nn.BatchNorm2d(planes * expansion))
        if block is Bottleneck:
            layers.append(Bottleneck(inplanes, planes, s, down, expansion))
        else:
            layers.append(BasicBlock(inplanes, planes, s, down))
        inplanes = planes * expansion
    return nn.Sequential(*layers)


def torch_BasicBlock(s, shape, history):
    return ChannelsFirst(make_layer(BasicBlock, shape[-1], s.units, s.repeat, s.strides[0] if s.strides else 1, 1))


def torch_Bottleneck(s, shape, history):
    return ChannelsFirst(make_layer(Bottleneck, shape[-1], s.units, s.repeat, s.strides[0] if s.strides else 1,
                                    s.expansion))


class SqueezeExcitation(nn.Module):
    """torchvision.ops.SqueezeExcitation: fc1, fc2 are 1×1 Conv2d with biases."""

    def __init__(self, channels, squeeze):
        super().__init__()
        self.fc1, self.fc2 = nn.Conv2d(channels, squeeze, 1), nn.Conv2d(squeeze, channels, 1)

    def forward(self, x):
        scale = torch.sigmoid(self.fc2(F.silu(self.fc1(F.adaptive_avg_pool2d(x, 1)))))
        return x * scale


class InvertedResidual(nn.Module):
    """torchvision MobileNetV2 InvertedResidual / EfficientNet MBConv: 1×1 expansion (t > 1), k×k
    depthwise (stride, padding (k − 1) // 2), squeeze-excitation (MBConv: squeeze = max(1, C_in // 4)),
    1×1 projection; each convolution without bias, with BatchNorm; identity shortcut when shapes allow."""

    def __init__(self, c_in, c_out, t, k, stride, se_divisor):
        super().__init__()
        e = c_in * t
        layers = [conv_bn(c_in, e, 1)] if t != 1 else []
        layers.append(conv_bn(e, e, k, stride, (k - 1) // 2, groups=e))
        if se_divisor:
            layers.append(SqueezeExcitation(e, max(1, c_in // se_divisor)))
        layers.append(conv_bn(e, c_out, 1))
        self.block = nn.Sequential(*layers)
        self.use_res_connect = stride == 1 and c_in == c_out

    def forward(self, x):
        return x + self.block(x) if self.use_res_connect else self.block(x)


def torch_InvertedResidual(s, shape, history):
    c, blocks = shape[-1], []
    k = s.kernel[0] if s.kernel else 3
    for i in range(s.repeat):
        blocks.append(InvertedResidual(c, s.units, s.expansion, k, (s.strides[0] if s.strides else 1) if i == 0 else 1,
                                       s.se_divisor))
        c = s.units
    return ChannelsFirst(nn.Sequential(*blocks))


class DenseLayer(nn.Module):
    """torchvision.models.densenet._DenseLayer: norm1, conv1 (1×1 to bn_size·k), norm2, conv2 (3×3 to k)."""

    def __init__(self, c, growth, bn_size):
        super().__init__()
        self.norm1 = nn.BatchNorm2d(c)
        self.conv1 = nn.Conv2d(c, bn_size * growth, 1, bias=False)
        self.norm2 = nn.BatchNorm2d(bn_size * growth)
        self.conv2 = nn.Conv2d(bn_size * growth, growth, 3, padding=1, bias=False)

    def forward(self, features):
        x = self.conv1(F.relu(self.norm1(torch.cat(features, 1))))
        return self.conv2(F.relu(self.norm2(x)))


class DenseBlock(nn.Module):
    """torchvision.models.densenet._DenseBlock: each layer sees all earlier outputs, concatenated."""

    def __init__(self, layers, c, bn_size, growth):
        super().__init__()
        self.layers = nn.ModuleList(DenseLayer(c + i * growth, growth, bn_size) for i in range(layers))

    def forward(self, x):
        features = [x]
        for layer in self.layers:
            features.append(layer(features))
        return torch.cat(features, 1)


def torch_DenseBlock(s, shape, history):
    return ChannelsFirst(DenseBlock(s.repeat, shape[-1], s.expansion, s.units))


def torch_Transition(s, shape, history):
    """torchvision.models.densenet._Transition: BatchNorm, ReLU, 1×1 conv without bias, 2×2 average pooling."""
    c = shape[-1]
    return ChannelsFirst(nn.Sequential(nn.BatchNorm2d(c), nn.ReLU(), nn.Conv2d(c, s.units, 1, bias=False),
                                       nn.AvgPool2d(2, 2)))


def basic_conv(c_in, c_out, kh, kw, stride=1, same=True):
    """torchvision.models.inception.BasicConv2d (conv without bias + BatchNorm(eps=0.001)), padded to
    keep the size the way the Inception modules pad theirs ((1, 7) → padding (0, 3))."""
    return nn.Sequential(nn.Conv2d(c_in, c_out, (kh, kw), stride, (kh // 2, kw // 2) if same else 0, bias=False),
                         nn.BatchNorm2d(c_out, eps=0.001))


class Split(nn.Module):
    """InceptionE: branch3x3_2a (1×3) and branch3x3_2b (3×1) on one input, concatenated."""

    def __init__(self, c_in, parts):
        super().__init__()
        self.parts = nn.ModuleList(basic_conv(c_in, c, kh, kw) for c, kh, kw in parts)

    def forward(self, x):
        return torch.cat([p(x) for p in self.parts], 1)


class Inception(nn.Module):
    """torchvision InceptionA/C/E (stride 1: every conv padded, the pool branch an avg_pool2d(3, 1, 1))
    and InceptionB/D (stride 2: each branch's last conv 3×3 with stride 2 and no padding, the pool
    branch max_pool2d(3, stride=2)); the branches are concatenated."""

    def __init__(self, c_in, branches, stride):
        super().__init__()
        self.stride = stride
        self.branches = nn.ModuleList()
        for branch in branches:
            steps, c = [], c_in
            for at, step in enumerate(branch):
                if step == "pool":
                    steps.append(nn.AvgPool2d(3, 1, 1) if stride == 1 else nn.MaxPool2d(3, 2))
                elif step[0] == "split":
                    steps.append(Split(c, step[1:]))
                    c = sum(p[0] for p in step[1:])
                else:
                    last = at == len(branch) - 1
                    steps.append(basic_conv(c, step[0], step[1], step[2], 2 if stride == 2 and last else 1,
                                            same=not (stride == 2 and last)))
                    c = step[0]
            self.branches.append(nn.Sequential(*steps))

    def forward(self, x):
        return torch.cat([b(x) for b in self.branches], 1)


def torch_InceptionModule(s, shape, history):
    return ChannelsFirst(Inception(shape[-1], s.branches, s.strides[0] if s.strides else 1))


class InceptionAux(nn.Module):
    """torchvision.models.inception.InceptionAux: avg_pool 5/3, conv0 1×1 → 128, conv1 5×5 → 768, fc → classes.
    A side branch: the main path goes on with its input (the aux logits are returned beside it)."""

    def __init__(self, c, classes):
        super().__init__()
        self.conv0 = basic_conv(c, 128, 1, 1)
        self.conv1 = basic_conv(128, 768, 5, 5, same=False)
        self.fc = nn.Linear(768, classes)
        self.classes = classes

    def forward(self, x):
        y = F.avg_pool2d(x.movedim(-1, 1), 5, 3)
        y = self.conv1(self.conv0(y))
        y = self.fc(torch.flatten(F.adaptive_avg_pool2d(y, 1), 1))
        assert tuple(y.shape[1:]) == (self.classes,)
        return x


def torch_AuxClassifier(s, shape, history):
    return InceptionAux(shape[-1], s.units)


# -- the plain kinds a block-level test mixes in ---------------------------------------------------

class Residual(nn.Module):
    """``out = f(x) + shortcut``: the shortcut is the input of the layer ``skip`` steps back, through a
    1×1 projection (torchvision's downsample: Conv2d with the stride that matches; nn.Linear on vectors)
    when its shape differs."""

    def __init__(self, history, skip, short_shape, shape, projection):
        super().__init__()
        self.history, self.skip = history, skip
        self.proj = None
        if projection and tuple(short_shape) != tuple(shape):
            if len(shape) == 3:
                stride = -(-short_shape[0] // shape[0])
                self.proj = nn.Conv2d(short_shape[-1], shape[-1], 1, stride)
            else:
                self.proj = nn.Linear(short_shape[-1], shape[-1])

    def forward(self, x):
        short = self.history[-1 - self.skip]
        if self.proj is not None:
            short = _first(self.proj, short) if short.dim() == 4 else self.proj(short)
        return x + short


def torch_Add(s, shape, history, shapes=()):
    return Residual(history, s.skip, shapes[-1 - s.skip], shape, s.projection)


def torch_Dense(s, shape, history):
    return nn.Linear(shape[-1], s.units, bias=s.bias)


def torch_Conv2D(s, shape, history):
    """A 2-D convolution with odd kernels and explicit padding k // 2 (the core's tuple padding)."""
    return ChannelsFirst(nn.Conv2d(shape[-1], s.units, s.kernel, s.strides or 1, s.padding, bias=s.bias))


def torch_Activation(s, shape, history):
    return nn.ReLU()


def torch_Flatten(s, shape, history):
    return nn.Flatten()


def torch_LayerNormalization(s, shape, history):
    return nn.LayerNorm(shape[-1])


def torch_RMSNorm(s, shape, history):
    """HF LlamaRMSNorm / T5LayerNorm: a weight (scale) only; torch.nn.RMSNorm is the same."""
    return nn.RMSNorm(shape[-1])


# -- Keras references (functional API) ------------------------------------------------------------

def keras_Add(keras, s, x, tensors, shapes):
    """``keras.layers.Add()([x, shortcut])``; a ``Conv2D(C_out, 1, strides)`` / ``Dense(C_out)`` projection on
    the shortcut when its shape differs."""
    short, shape, made = tensors[-1 - s.skip], tuple(x.shape[1:]), []
    if s.projection and tuple(short.shape[1:]) != shape:
        if len(shape) == 3:
            made.append(keras.layers.Conv2D(shape[-1], 1, strides=-(-short.shape[1] // shape[0]), padding="same"))
        else:
            made.append(keras.layers.Dense(shape[-1]))
        short = made[-1](short)
    made.append(keras.layers.Add())
    return made[-1]([x, short]), made


def keras_Dense(keras, s, x, tensors, shapes):
    layer = keras.layers.Dense(s.units, use_bias=s.bias)
    return layer(x), [layer]


def keras_Conv2D(keras, s, x, tensors, shapes):
    layer = keras.layers.Conv2D(s.units, s.kernel, strides=s.strides or 1, padding="same", use_bias=s.bias)
    return layer(x), [layer]


def keras_Activation(keras, s, x, tensors, shapes):
    layer = keras.layers.Activation("relu")
    return layer(x), [layer]


def keras_DotAttention(keras, s, x, tensors, shapes):
    """``keras.layers.Attention(use_scale=...)([query, value])``: the query is the layer's input, the
    value the network input (any (T_v, d) sequence)."""
    layer = keras.layers.Attention(use_scale=s.use_scale)
    return layer([x, tensors[0]]), [layer]


def keras_TokenEmbeddings(keras, s, x, tensors, shapes):
    """BERT's embeddings in Keras (keras-hub TokenAndPositionEmbedding + LayerNormalization):
    Embedding(V, d) + Embedding(P, d) of the positions + Embedding(S, d) of the segments, then LayerNorm."""
    import keras.ops as ops
    made = [keras.layers.Embedding(s.vocab, s.units)]
    y = made[0](x)
    if s.positions:
        made.append(keras.layers.Embedding(s.positions, s.units))
        y = y + made[-1](ops.zeros_like(x) + ops.arange(x.shape[1], dtype="int32"))
    if s.segments:
        made.append(keras.layers.Embedding(s.segments, s.units))
        y = y + made[-1](ops.zeros_like(x))
    if s.center:
        made.append(keras.layers.LayerNormalization())
        y = made[-1](y)
    return y, made


def keras_Pooler(keras, s, x, tensors, shapes):
    """keras-hub BertBackbone's pooled_dense: Dense(d, activation="tanh") on the first token."""
    layer = keras.layers.Dense(x.shape[-1], activation="tanh")
    return layer(x[:, 0]), [layer]


def keras_LMHead(keras, s, x, tensors, shapes):
    """An untied head: Dense(V, use_bias=False)."""
    layer = keras.layers.Dense(s.vocab, use_bias=False)
    return layer(x), [layer]


def keras_Parameter(keras, s, x, tensors, shapes):
    """A layer holding one weight of the given shape (``add_weight``), passing its input on."""

    class Holder(keras.layers.Layer):
        def build(self, input_shape):
            self.tensor = self.add_weight(shape=tuple(s.tensor), initializer="zeros")

        def call(self, inputs):
            return inputs

    layer = Holder()
    return layer(x), [layer]


def keras_ConvBN(keras, s, x, tensors, shapes):
    """Conv2D (explicit padding by ZeroPadding2D) then BatchNormalization, as keras.applications builds
    its conv + BN pairs; the BatchNorm lists its moving mean and variance as non-trainable weights."""
    k = s.kernel[0] if s.kernel else 3
    p = s.padding[0] if isinstance(s.padding, tuple) else 0
    made = [keras.layers.ZeroPadding2D(p), keras.layers.Conv2D(s.units, k, strides=s.strides or 1, groups=s.groups,
                                                               use_bias=s.bias)]
    if s.batchnorm:
        made.append(keras.layers.BatchNormalization())
    for layer in made:
        x = layer(x)
    return x, made
