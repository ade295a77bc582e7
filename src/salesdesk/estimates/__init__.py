"""Estimates, work breakdown, risks, Monte Carlo; plans, CPM, Gantt (issue 7). Not built yet."""
