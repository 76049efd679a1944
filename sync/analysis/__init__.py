"""Cycle analysis jobs and the LLM narrative."""
