"""Attention, transformer blocks and whole models against published parameter counts.

References (independent of nlqa's formulas):
- BERT-base (bert-base-uncased, HF transformers BertModel): 109,482,240 with the pooler and
  108,891,648 without — the counts docs/conventions.md records, also printed by
  `sum(p.numel() for p in BertModel(BertConfig()).parameters())`.
- GPT-2 small (HF GPT2LMHeadModel, head tied to the token embedding): 124,439,808.
- ViT-B/16 (timm vit_base_patch16_224, 1000-class head): 86,567,656.
- nn.MultiheadAttention(512, 8): 1,050,624; nn.MultiheadAttention(256, 8, kdim=128, vdim=128): 197,632;
  nn.TransformerEncoderLayer(d_model=128, nhead=8) (dim_feedforward 2048): 593,024 — PyTorch 2.13.
- keras.layers.MultiHeadAttention(num_heads=4, key_dim=32) on width 128: 66,048 — Keras 3.
"""

from __future__ import annotations

import pytest

from nlqa.core import LayerSpec as L
from nlqa.core import NetworkSpec, count_network


def total(spec: NetworkSpec) -> int:
    return count_network(spec).totals["total_parameters"]


BERT_BASE = (L("TokenEmbeddings", 768, vocab=30522, positions=512, segments=2),
             L("TransformerEncoderLayer", 768, heads=12, ff=3072, repeat=12))


@pytest.mark.parametrize("spec, expected", [
    (NetworkSpec((512,), BERT_BASE + (L("Pooler"),)), 109_482_240),
    (NetworkSpec((512,), BERT_BASE), 108_891_648),
    (NetworkSpec((1024,), (L("TokenEmbeddings", 768, vocab=50257, positions=1024, center=False),
                           L("TransformerEncoderLayer", 768, heads=12, ff=3072, repeat=12),
                           L("LayerNormalization"), L("LMHead", vocab=50257))), 124_439_808),
    (NetworkSpec((224, 224, 3), (L("PatchEmbedding", 768, patch=16, image=224, channels=3),
                                 L("TransformerEncoderLayer", 768, heads=12, ff=3072, repeat=12),
                                 L("LayerNormalization"), L("Dense", 1000))), 86_567_656),
    (NetworkSpec((None, 512), (L("MultiHeadAttention", 512, heads=8),)), 1_050_624),
    (NetworkSpec((None, 256), (L("MultiHeadAttention", 256, heads=8, kdim=128, vdim=128),)), 197_632),
    (NetworkSpec((None, 128), (L("TransformerEncoderLayer", 128, heads=8, ff=2048),)), 593_024),
    (NetworkSpec((None, 128), (L("MultiHeadAttention", None, heads=4, key_dim=32),)), 66_048),
], ids=["bert-base", "bert-base-no-pooler", "gpt2-small", "vit-b16", "mha-512-8", "mha-kdim",
        "torch-encoder-layer", "keras-mha"])
def test_core_transformer_matches_reference(spec, expected):
    assert total(spec) == expected


def test_core_transformer_untied_head_adds_the_output_matrix():
    tied = NetworkSpec((1024,), (L("TokenEmbeddings", 768, vocab=50257, positions=1024, center=False),
                                 L("LMHead", vocab=50257)))
    untied = tied.with_(layers=[tied.layers[0], L("LMHead", vocab=50257, tied=False)])
    assert total(untied) - total(tied) == 768 * 50257


def test_core_transformer_non_embedding_excludes_the_tables_only():
    totals = count_network(NetworkSpec((512,), BERT_BASE + (L("Pooler"),))).totals
    assert totals["non_embedding_parameters"] == 109_482_240 - (30522 + 512 + 2) * 768


def test_core_transformer_rejects_heads_that_do_not_divide_the_width():
    from nlqa.errors import SpecError
    with pytest.raises(SpecError, match="do not divide"):
        count_network(NetworkSpec((None, 100), (L("MultiHeadAttention", 100, heads=8),)))
