"""The area's settings: rules, the programme period's figures, action areas, criteria, grundkrav."""
