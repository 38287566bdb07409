"""Decisions (beslut): under delegation, by the authority, with the decision letter."""
