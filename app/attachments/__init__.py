"""Attachments (bilagor) to applications: checked by content, stored outside static/."""
