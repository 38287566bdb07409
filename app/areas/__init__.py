"""Leader areas (Leaderområden) and their programme set-up: periods, action areas, criteria."""
