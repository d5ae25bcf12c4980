"""Stage 5, the question asked: the sentence, quantity, layer named, parts, gates, MACs/FLOPs."""
