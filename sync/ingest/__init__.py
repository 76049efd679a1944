"""Ingest: tracker items -> plan -> apply to the store, for deliveries, link resolution and reconcile."""
