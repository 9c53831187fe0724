"""Runs: every run recorded once when it ends, the prices that give its cost, and budgets."""
