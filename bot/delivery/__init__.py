"""The delivery engine: the outbox sender, its pacing lane, audiences and message rendering."""
