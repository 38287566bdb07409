"""Payments of granted support: the applicant's payment claims (ansökan om utbetalning)."""
