"""Every write to indicators: the catalogue, values (entry, import, approval) and targets."""
