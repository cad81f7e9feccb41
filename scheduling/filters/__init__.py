"""Scheduler filters, one per module; settings.SCHEDULER_FILTERS chooses and orders them."""
