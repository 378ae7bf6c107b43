"""Crews: fans' teams, their members, and their leaderboard per round."""
