"""Solution designs, fit-gap, feasibility rules and capacity models (issue 6). Not built yet."""
