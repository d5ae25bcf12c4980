"""Rebuild every registry model in a reference framework and compare its parameter count.

Run with a Python that has torch (and transformers for the transformer models), e.g. the oracle venv:

    /work/oracle/bin/python benchmarks/verify_models.py

Transformer models are built with ``transformers`` from their published configurations on the meta
device (no weights are downloaded or allocated); the CNNs and ViT are plain-torch copies of
torchvision's (and timm's) definitions, since torchvision is not importable beside every torch.
Each line: the model, the reference framework's count, the count stored in the registry, nlqa's
count from its configuration. Exit status 1 when any differ. nlqa itself never imports torch.
"""

from __future__ import annotations

import sys
from pathlib import Path

import torch
from torch import nn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
if "nlqa.grammars" not in sys.modules:  # run from a checkout, nlqa not installed: its grammars/ folder
    import importlib.util
    _spec = importlib.util.spec_from_file_location("nlqa.grammars", ROOT / "grammars" / "__init__.py",
                                                   submodule_search_locations=[str(ROOT / "grammars")])
    sys.modules["nlqa.grammars"] = importlib.util.module_from_spec(_spec)
from nlqa.core import count_network  # noqa: E402
from nlqa.core.registry import registry  # noqa: E402


def numel(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())  # shared (tied) tensors once


# -- transformers, from the published configurations --------------------------------------------

def hf(entry) -> tuple[nn.Module, int | None]:
    import transformers as tf
    c = entry.config
    name = entry.id
    common = dict(vocab_size=c.get("vocab"))
    if entry.layout == "decoder":
        kw = dict(hidden_size=c["width"], num_hidden_layers=c["layers"], num_attention_heads=c["heads"],
                  num_key_value_heads=c.get("kv_heads", c["heads"]), intermediate_size=c["ff"],
                  tie_word_embeddings=c.get("tied", False), **common)
        if name.startswith("llama"):
            cls, cfg = tf.LlamaForCausalLM, tf.LlamaConfig(**kw)
        elif name.startswith("mistral"):
            cls, cfg = tf.MistralForCausalLM, tf.MistralConfig(**kw)
        elif name.startswith("mixtral"):
            cls, cfg = tf.MixtralForCausalLM, tf.MixtralConfig(num_local_experts=c["experts"],
                                                               num_experts_per_tok=c["active_experts"], **kw)
        elif name.startswith("qwen"):
            cls, cfg = tf.Qwen2ForCausalLM, tf.Qwen2Config(**kw)
        elif name.startswith("gemma"):
            cls, cfg = tf.GemmaForCausalLM, tf.GemmaConfig(head_dim=c["head_dim"], **kw)
        elif name.startswith("phi"):
            cls, cfg = tf.PhiForCausalLM, tf.PhiConfig(**kw)
        else:
            raise ValueError(name)
    elif entry.layout == "bert":
        kw = dict(hidden_size=c["width"], num_hidden_layers=c["layers"], num_attention_heads=c["heads"],
                  intermediate_size=c["ff"], max_position_embeddings=c["positions"], **common)
        if name.startswith("distilbert"):
            cls, cfg = tf.DistilBertModel, tf.DistilBertConfig(dim=c["width"], n_layers=c["layers"], n_heads=c["heads"],
                                                               hidden_dim=c["ff"], **common)
        elif name.startswith("roberta"):
            cls, cfg = tf.RobertaModel, tf.RobertaConfig(type_vocab_size=c["segments"], **kw)
        else:
            cls, cfg = tf.BertModel, tf.BertConfig(type_vocab_size=c["segments"], **kw)
    elif entry.layout == "albert":
        cls, cfg = tf.AlbertModel, tf.AlbertConfig(embedding_size=c["embedding"], hidden_size=c["width"],
                                                   num_hidden_layers=c["layers"], num_attention_heads=c["heads"],
                                                   intermediate_size=c["ff"], **common)
    elif entry.layout == "t5":
        cls, cfg = tf.T5ForConditionalGeneration, tf.T5Config(d_model=c["width"], d_kv=c["head_dim"], d_ff=c["ff"],
                                                              num_layers=c["layers"], num_heads=c["heads"],
                                                              relative_attention_num_buckets=c["buckets"], **common)
    elif entry.layout == "gpt":
        cls, cfg = tf.GPT2LMHeadModel, tf.GPT2Config(n_embd=c["width"], n_layer=c["layers"], n_head=c["heads"],
                                                     n_positions=c["positions"], **common)
    else:
        raise ValueError(entry.layout)
    with torch.device("meta"):
        model = cls(cfg)
    active = None
    if entry.layout == "decoder" and c.get("experts"):
        expert = [m for n, m in model.named_modules() if n.endswith("experts")][0]
        per_layer = sum(p.numel() for p in expert.parameters())
        active = numel(model) - c["layers"] * per_layer * (c["experts"] - c["active_experts"]) // c["experts"]
    return model, active


# -- plain-torch copies of torchvision's (and timm's ViT) definitions -----------------------------

def conv_bn(i, o, k, s=1, p=None, g=1):
    return [nn.Conv2d(i, o, k, s, k // 2 if p is None else p, groups=g, bias=False), nn.BatchNorm2d(o)]


class Basic(nn.Module):
    expansion = 1

    def __init__(self, i, p, s):
        super().__init__()
        self.body = nn.Sequential(*conv_bn(i, p, 3, s), *conv_bn(p, p, 3))
        self.down = nn.Sequential(*conv_bn(i, p, 1, s, 0)) if s != 1 or i != p else None


class Bottle(nn.Module):
    expansion = 4

    def __init__(self, i, p, s):
        super().__init__()
        self.body = nn.Sequential(*conv_bn(i, p, 1, 1, 0), *conv_bn(p, p, 3, s), *conv_bn(p, 4 * p, 1, 1, 0))
        self.down = nn.Sequential(*conv_bn(i, 4 * p, 1, s, 0)) if s != 1 or i != 4 * p else None


def resnet(c):
    block = Bottle if c["block"] == "bottleneck" else Basic
    layers, i = [*conv_bn(3, 64, 7, 2, 3), nn.MaxPool2d(3, 2, 1)], 64
    for n, (p, blocks) in enumerate(zip(c["planes"], c["blocks"])):
        for b in range(blocks):
            layers.append(block(i, p, 2 if n and not b else 1))
            i = p * block.expansion
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(i, c["classes"]))


def vgg(c):
    layers, i = [], 3
    for v in c["convs"]:
        if v == "M":
            layers.append(nn.MaxPool2d(2))
        else:
            layers += [nn.Conv2d(i, v, 3, padding=1)] + ([nn.BatchNorm2d(v)] if c["batchnorm"] else []) + [nn.ReLU()]
            i = v
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(7), nn.Flatten(), nn.Linear(512 * 49, 4096), nn.ReLU(),
                         nn.Linear(4096, 4096), nn.ReLU(), nn.Linear(4096, c["classes"]))


def alexnet(c):
    return nn.Sequential(nn.Conv2d(3, 64, 11, 4, 2), nn.ReLU(), nn.MaxPool2d(3, 2), nn.Conv2d(64, 192, 5, padding=2),
                         nn.ReLU(), nn.MaxPool2d(3, 2), nn.Conv2d(192, 384, 3, padding=1), nn.ReLU(),
                         nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(), nn.Conv2d(256, 256, 3, padding=1), nn.ReLU(),
                         nn.MaxPool2d(3, 2), nn.AdaptiveAvgPool2d(6), nn.Flatten(), nn.Dropout(),
                         nn.Linear(256 * 36, 4096), nn.ReLU(), nn.Dropout(), nn.Linear(4096, 4096), nn.ReLU(),
                         nn.Linear(4096, c["classes"]))


def lenet(c):
    return nn.Sequential(nn.Conv2d(1, 6, 5), nn.Tanh(), nn.AvgPool2d(2), nn.Conv2d(6, 16, 5), nn.Tanh(), nn.AvgPool2d(2),
                         nn.Flatten(), nn.Linear(400, 120), nn.Tanh(), nn.Linear(120, 84), nn.Tanh(),
                         nn.Linear(84, c["classes"]))


class SE(nn.Module):  # torchvision.ops.SqueezeExcitation
    def __init__(self, ch, sq):
        super().__init__()
        self.fc1, self.fc2 = nn.Conv2d(ch, sq, 1), nn.Conv2d(sq, ch, 1)


def inverted(i, o, t, k, s, se_divisor=0):
    e = i * t
    layers = (conv_bn(i, e, 1) if t != 1 else []) + conv_bn(e, e, k, s, g=e)
    if se_divisor:
        layers.append(SE(e, max(1, i // se_divisor)))
    return nn.Sequential(*layers, *conv_bn(e, o, 1))


def mobilenetv2(c):
    layers, i = conv_bn(3, c["stem"], 3, 2), c["stem"]
    for t, o, n, s in c["stages"]:
        for b in range(n):
            layers.append(inverted(i, o, t, 3, s if b == 0 else 1))
            i = o
    return nn.Sequential(*layers, *conv_bn(i, c["last"], 1), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.Dropout(0.2), nn.Linear(c["last"], c["classes"]))


def efficientnet(c):
    layers, i = conv_bn(3, c["stem"], 3, 2), c["stem"]
    for t, k, s, o, n in c["stages"]:
        for b in range(n):
            layers.append(inverted(i, o, t, k, s if b == 0 else 1, c["se_divisor"]))
            i = o
    return nn.Sequential(*layers, *conv_bn(i, c["last"], 1), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.Dropout(0.2), nn.Linear(c["last"], c["classes"]))


def densenet(c):
    layers, ch, k, b = conv_bn(3, c["stem"], 7, 2, 3) + [nn.MaxPool2d(3, 2, 1)], c["stem"], c["growth"], c["bn_size"]
    for n_block, n in enumerate(c["blocks"]):
        for j in range(n):
            layers += [nn.BatchNorm2d(ch), nn.Conv2d(ch, b * k, 1, bias=False), nn.BatchNorm2d(b * k),
                       nn.Conv2d(b * k, k, 3, padding=1, bias=False)]
            ch += k
        if n_block + 1 < len(c["blocks"]):
            layers += [nn.BatchNorm2d(ch), nn.Conv2d(ch, ch // 2, 1, bias=False), nn.AvgPool2d(2)]
            ch //= 2
    return nn.Sequential(*layers, nn.BatchNorm2d(ch), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(ch, c["classes"]))


class ViT(nn.Module):  # timm VisionTransformer: class token, learned positions, pre-norm blocks
    def __init__(self, c):
        super().__init__()
        d, n = c["width"], (c["image"] // c["patch"]) ** 2
        self.patch = nn.Conv2d(c.get("channels", 3), d, c["patch"], c["patch"])
        self.cls = nn.Parameter(torch.zeros(1, 1, d))
        self.pos = nn.Parameter(torch.zeros(1, n + 1, d))
        self.blocks = nn.ModuleList(nn.TransformerEncoderLayer(d, c["heads"], c["ff"], norm_first=True)
                                    for _ in range(c["layers"]))
        self.norm, self.head = nn.LayerNorm(d), nn.Linear(d, c["classes"])


def bconv(i, o, k, **kw):  # torchvision BasicConv2d: conv without bias + BatchNorm(eps=0.001)
    return nn.Sequential(nn.Conv2d(i, o, k, bias=False, **kw), nn.BatchNorm2d(o, eps=0.001))


class InceptionA(nn.Module):
    def __init__(self, i, pf):
        super().__init__()
        self.b1 = bconv(i, 64, 1)
        self.b5 = nn.Sequential(bconv(i, 48, 1), bconv(48, 64, 5, padding=2))
        self.b3 = nn.Sequential(bconv(i, 64, 1), bconv(64, 96, 3, padding=1), bconv(96, 96, 3, padding=1))
        self.bp = bconv(i, pf, 1)


class InceptionB(nn.Module):
    def __init__(self, i):
        super().__init__()
        self.b3 = bconv(i, 384, 3, stride=2)
        self.bd = nn.Sequential(bconv(i, 64, 1), bconv(64, 96, 3, padding=1), bconv(96, 96, 3, stride=2))


class InceptionC(nn.Module):
    def __init__(self, i, c7):
        super().__init__()
        self.b1 = bconv(i, 192, 1)
        self.b7 = nn.Sequential(bconv(i, c7, 1), bconv(c7, c7, (1, 7), padding=(0, 3)), bconv(c7, 192, (7, 1), padding=(3, 0)))
        self.bd = nn.Sequential(bconv(i, c7, 1), bconv(c7, c7, (7, 1), padding=(3, 0)), bconv(c7, c7, (1, 7), padding=(0, 3)),
                                bconv(c7, c7, (7, 1), padding=(3, 0)), bconv(c7, 192, (1, 7), padding=(0, 3)))
        self.bp = bconv(i, 192, 1)


class InceptionD(nn.Module):
    def __init__(self, i):
        super().__init__()
        self.b3 = nn.Sequential(bconv(i, 192, 1), bconv(192, 320, 3, stride=2))
        self.b7 = nn.Sequential(bconv(i, 192, 1), bconv(192, 192, (1, 7), padding=(0, 3)),
                                bconv(192, 192, (7, 1), padding=(3, 0)), bconv(192, 192, 3, stride=2))


class InceptionE(nn.Module):
    def __init__(self, i):
        super().__init__()
        self.b1 = bconv(i, 320, 1)
        self.b3_1, self.b3_2a, self.b3_2b = bconv(i, 384, 1), bconv(384, 384, (1, 3), padding=(0, 1)), bconv(384, 384, (3, 1), padding=(1, 0))
        self.bd_1, self.bd_2 = bconv(i, 448, 1), bconv(448, 384, 3, padding=1)
        self.bd_3a, self.bd_3b = bconv(384, 384, (1, 3), padding=(0, 1)), bconv(384, 384, (3, 1), padding=(1, 0))
        self.bp = bconv(i, 192, 1)


class InceptionAux(nn.Module):
    def __init__(self, i, classes):
        super().__init__()
        self.conv0, self.conv1, self.fc = bconv(i, 128, 1), bconv(128, 768, 5), nn.Linear(768, classes)


def inception(c):  # torchvision Inception3(aux_logits=True)
    return nn.Sequential(bconv(3, 32, 3, stride=2), bconv(32, 32, 3), bconv(32, 64, 3, padding=1), nn.MaxPool2d(3, 2),
                         bconv(64, 80, 1), bconv(80, 192, 3), nn.MaxPool2d(3, 2), InceptionA(192, 32), InceptionA(256, 64),
                         InceptionA(288, 64), InceptionB(288), InceptionC(768, 128), InceptionC(768, 160),
                         InceptionC(768, 160), InceptionC(768, 192), InceptionAux(768, c["classes"]), InceptionD(768),
                         InceptionE(1280), InceptionE(2048), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.Linear(2048, c["classes"]))


TORCH = {"inception": inception, "resnet": resnet, "vgg": vgg, "mobilenetv2": mobilenetv2, "efficientnet": efficientnet,
         "densenet": densenet, "vit": ViT, "sequential": lambda c: alexnet(c) if c["classes"] == 1000 else lenet(c)}


def main() -> int:
    bad = 0
    print(f"{'model':16} {'reference framework':>20} {'registry':>16} {'nlqa core':>16}  how")
    for entry in registry().values():
        active = None
        if entry.layout in TORCH:
            with torch.device("meta"):
                model = TORCH[entry.layout](entry.config)
            how = "plain torch (torchvision/timm definition)"
        else:
            model, active = hf(entry)
            how = f"transformers {type(model).__name__}, meta device"
        ref = numel(model)
        totals = count_network(entry.spec()).totals
        ok = ref == entry.reference == totals["total_parameters"]
        if entry.reference_active is not None:
            ok = ok and active == entry.reference_active == totals.get("active_parameters")
        bad += not ok
        print(f"{entry.id:16} {ref:>20,} {entry.reference:>16,} {totals['total_parameters']:>16,}  "
              f"{'ok' if ok else 'DIFFERS'}  {how}")
        if active is not None:
            print(f"{'  active':16} {active:>20,} {entry.reference_active:>16,} {totals['active_parameters']:>16,}")
    print(f"{len(registry()) - bad} of {len(registry())} models agree")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
