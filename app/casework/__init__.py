"""Case handling: the handler's case page, notes, checklists, scoring and decision proposals."""
