"""The manager's budget dashboard: uptake against the target, forecast, indicators."""
