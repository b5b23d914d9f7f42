"""Clubs: an organizer such as the Xiaoshan International Talent Club, its team and their roles."""
