"""Advice drawn from the verdicts: build needs, remedies, sizes, and the base image."""
