"""The visitor's choice of interface language."""
