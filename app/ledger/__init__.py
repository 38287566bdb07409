"""The append-only budget ledger and the balances derived from it."""
