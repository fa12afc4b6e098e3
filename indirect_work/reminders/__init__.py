"""Email reminders: weekly (clinicians), month end (team leads), month ready (commissioners)."""
