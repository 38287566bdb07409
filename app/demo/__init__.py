"""Deterministic demo data: a Leader area modelled on Leader Södermanland's plan for 2026."""
