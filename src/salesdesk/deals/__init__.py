"""Opportunities; later deal registration, presales requests and requirements."""
