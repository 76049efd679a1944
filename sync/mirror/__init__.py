"""Mirroring objectives and KRs into the trackers, and writing their standing back (attachments, status)."""
