"""The organizer's back office: the attendee list, one registration's page and history,
exports and paper for the day. It reads across registration, check-in and mail, so it sits above them."""
