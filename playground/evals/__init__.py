"""Datasets, evaluations and the checks run on every answer."""
