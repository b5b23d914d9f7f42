"""Registrations: the form, seats, waitlist, approval, and tickets (codes, QR, .ics)."""
