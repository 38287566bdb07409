"""LAG meetings: agenda, attendance, jäv, votes, decisions and the minutes (protokoll)."""
