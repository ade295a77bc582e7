"""Organisations (own, customer, partner), contacts, users, teams and product skills."""
