"""Targets and their tags, pip's file selection, and the verdict per file."""
