"""Operational scripts (installation, services, database creation) the Makefile runs."""
