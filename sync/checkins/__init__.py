"""Drafted weekly check-ins: drafting on each team's schedule, the note, posting to the tracker and undo."""
