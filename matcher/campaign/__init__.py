"""Matchmaking campaigns: a whole cohort paired (or grouped) at once, with a report."""
