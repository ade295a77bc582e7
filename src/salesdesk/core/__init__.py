"""Shared kernel: base models, audit trail, capability table, errors, pagination, jobs."""
