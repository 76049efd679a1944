"""Stored sync failures and webhook event types read as words, never as class or field names."""
from __future__ import annotations

from ui_panel.sync_words import event_words, failure_words, pass_counts


def test_a_stored_exception_reads_as_a_sentence():
    assert failure_words("TrackerUnavailable: 503") == "The tracker did not answer. Try again shortly."
    assert failure_words("AuthenticationFailed: 401").startswith("The tracker refused")
    assert "ZeroDivisionError" not in failure_words("ZeroDivisionError: division by zero")
    assert failure_words("Jira answered 503 twice") == "Jira answered 503 twice"
    assert failure_words(None) == "" and failure_words("") == ""


def test_a_split_pass_names_each_failed_part_once():
    words = failure_words("part A: RateLimited: slow; part B: RateLimited: slow; part C: NotFound: x")
    assert words.count("Part ") == 3 and words.startswith("Part A: The tracker asks okrsync to slow down")
    assert "RateLimited" not in words and "NotFound" not in words


def test_webhook_event_types_of_both_trackers_read_alike():
    assert event_words("jira:issue_updated") == "Issue updated"
    assert event_words("comment_created") == "Comment created"
    assert event_words("Issue.update") == "Issue updated"
    assert event_words("IssueLabel.remove") == "Issue label removed"
    assert event_words("") == "Unknown event"


def test_a_count_of_one_reads_in_the_singular():
    lines = pass_counts({"items_read": 1, "items_changed": 1, "key_results_moved": 1, "mirrors_created": 2,
                         "pending_key_results": [7]})
    assert lines == ["1 work item read", "1 changed", "1 key result moved", "2 mirrors created",
                     "1 key result waiting to be recounted"]
