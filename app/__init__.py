"""Bygdestöd: a back office for a Swedish LEADER area (Leaderområde)."""
