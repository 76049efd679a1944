"""Reminders and digests by email and Slack: what is due, the messages, sending them as jobs."""
