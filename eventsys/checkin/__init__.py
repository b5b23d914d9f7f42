"""Door check-in: door links for gates, the door page, and (next) the check_in service."""
