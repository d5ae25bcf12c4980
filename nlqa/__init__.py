"""nlqa: answers natural-language questions about neural networks, with the derivation."""

__version__ = "0.1.0"
