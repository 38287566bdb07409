"""The LAG board (LAG-styrelsen): members by sector and role."""
