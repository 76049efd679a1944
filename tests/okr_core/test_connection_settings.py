"""A connection's stored settings, typed, with every default in one place."""
from __future__ import annotations

from okr_core.connection_settings import ConnectionSettings


def test_nothing_stored_means_every_default():
    settings = ConnectionSettings.from_stored(None)
    assert settings == ConnectionSettings()
    assert (settings.default_estimate, settings.reconcile_minutes, settings.on_delete) == (1.0, 10, "archive")


def test_stored_values_are_typed_and_unknown_keys_ignored():
    settings = ConnectionSettings.from_stored({
        "default_estimate": "5", "reconcile_minutes": "0", "mirror_objectives": 0,
        "linear_attachments": "open", "page_size": 50})
    assert settings.default_estimate == 5.0 and settings.reconcile_minutes == 0
    assert settings.mirror_objectives is False and settings.linear_attachments == "open"
