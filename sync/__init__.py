"""Processing: ingest (deliveries, link resolution, reconcile pages), reconcile passes, mirrors and write-back, analysis jobs. Jobs in jobs.py, queued by name."""
