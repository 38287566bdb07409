"""Operations: health and readiness probes, and structured request logs."""
