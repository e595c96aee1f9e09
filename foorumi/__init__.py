"""Foorumi's entry points: the composition root, the `foorumi` command and the demo."""
