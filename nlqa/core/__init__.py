"""The counting core: pure Python, exact integers, no spaCy."""

from .conventions import Convention, convention
from .count import count_network
from .layers import FORMULAS, RECURRENT_GATES
from . import conv as _conv  # noqa: F401  (registers the convolution family's formulas)
from . import transformer as _transformer  # noqa: F401  (attention and transformer formulas)
from . import blocks as _blocks  # noqa: F401  (blocks of named models: LLM blocks, residual and dense blocks)
from .spec import FRAMEWORKS, LayerCount, LayerSpec, NetworkCount, NetworkSpec, Term

__all__ = ["Convention", "convention", "count_network", "FORMULAS", "RECURRENT_GATES",
           "FRAMEWORKS", "LayerCount", "LayerSpec", "NetworkCount", "NetworkSpec", "Term"]
