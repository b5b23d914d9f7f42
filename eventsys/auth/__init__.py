"""Organizer accounts, login, and the API's bearer tokens."""
