"""The registry of named models (``grammars/models/*.toml``), read and checked on first use."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..errors import GrammarError
from ..resources import load_toml
from .models import LAYOUTS, build_model
from .spec import NetworkSpec

FILES = ("models/llm.toml", "models/transformers.toml", "models/cnn.toml")
REQUIRED = ("name", "layout", "source", "reference")
PRESET_KEYS = ("layers", "width", "heads", "ff", "vocab", "positions", "segments", "pooler", "tied", "patch",
               "image", "channels", "classes")


@dataclass(frozen=True)
class ModelEntry:
    id: str
    name: str
    layout: str
    source: str
    reference: int
    config: dict[str, Any]
    names: tuple[str, ...] = ()
    reference_active: int | None = None
    verified: str = ""
    context: int | None = None
    file: str = ""

    def spec(self, overrides: dict[str, Any] | None = None) -> NetworkSpec:
        """The model's spec, with the configuration values a question overrides."""
        return build_model(self.layout, {**self.config, **(overrides or {})})


def _entry(file: str, ident: str, raw: dict[str, Any]) -> ModelEntry:
    for key in REQUIRED:
        if key not in raw:
            raise GrammarError(file, 0, f"model {ident!r} lacks {key!r}")
    if raw["layout"] not in LAYOUTS:
        raise GrammarError(file, 0, f"model {ident!r} has the unknown layout {raw['layout']!r}")
    config = dict(raw.get("config", {}))
    if "preset" in raw:
        preset = load_toml("presets.toml").get(raw["preset"])
        if preset is None:
            raise GrammarError(file, 0, f"model {ident!r} names the unknown preset {raw['preset']!r}")
        config = {**{k: preset[k] for k in PRESET_KEYS if k in preset}, **config}
    if not config:
        raise GrammarError(file, 0, f"model {ident!r} has no configuration")
    return ModelEntry(ident, raw["name"], raw["layout"], raw["source"], raw["reference"], config,
                      tuple(raw.get("names", ())), raw.get("reference_active"), raw.get("verified", ""),
                      raw.get("context"), file)


@lru_cache(maxsize=1)
def registry() -> dict[str, ModelEntry]:
    """Every named model by id, in file order."""
    out: dict[str, ModelEntry] = {}
    for file in FILES:
        for ident, raw in load_toml(file).items():
            if ident in out:
                raise GrammarError(file, 0, f"model {ident!r} is defined twice")
            out[ident] = _entry(file, ident, raw)
    return out
