"""E-mail through an outbox: written with the change that causes it, sent by a background sender."""
