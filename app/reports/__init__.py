"""Final reports (slutredovisning) with the result indicators that feed the area's follow-up."""
