"""Reconcile passes: read a connection page by page through ingest, re-resolve scopes, recount; the scheduler and the pass lock."""
