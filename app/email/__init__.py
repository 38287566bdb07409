"""Outgoing e-mail: an outbox in the database and a sender that speaks real SMTP."""
