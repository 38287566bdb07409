"""Staff accounts: invitations, the area's users, two-factor login and new Leader areas."""
