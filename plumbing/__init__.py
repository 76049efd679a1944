"""Plumbing every part runs on: store sessions, the job queue and its table, delivery hand-off and sweep, the worker, logging."""
