"""Jira Cloud and Data Center connector."""
