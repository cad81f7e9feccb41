"""Scheduler weighers, one per module; settings.SCHEDULER_WEIGHERS chooses them."""
