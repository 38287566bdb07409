"""Staff accounts, roles, login sessions and request security (CSRF, throttling)."""
