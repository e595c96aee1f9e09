"""The outbox's sending side: the leased sender, message rendering, live progress for staff."""
