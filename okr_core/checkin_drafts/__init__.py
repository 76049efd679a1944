"""Drafted weekly check-ins (issue 18): the week each team drafts in, what a draft says, and
approving or undoing one through the one check-in path."""
