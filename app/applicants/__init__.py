"""The applicant's side: magic links that open a draft or a case without an account."""
