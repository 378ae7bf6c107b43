"""Rounds: phases, editing, ratings, results, finals and judge mode."""
