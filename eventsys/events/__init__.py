"""Events, their ticket types and registration questions; organizer and public pages."""
