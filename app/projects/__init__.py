"""The office registers full Leader projects from the applicant's documents in the e-service."""
