"""Reads of indicators: the catalogue, values, aggregates over areas and time, classification."""
