"""Advice drawn from the verdicts: base image, (later) build needs and Dockerfile rules."""
