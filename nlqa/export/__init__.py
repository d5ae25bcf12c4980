"""Framework code for a counted network (``nlqa ask --code``) and its cross-check (``--verify``).

``code`` writes the code from ``grammars/export.toml`` and never imports a framework; ``verify``
runs it in PyTorch and Keras, imported only there.
"""

from .code import FRAMEWORKS, Exported, concrete_spec, export

__all__ = ["FRAMEWORKS", "Exported", "concrete_spec", "export"]
