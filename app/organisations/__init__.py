"""Applicant organisations (stödsökande)."""
