"""Umbrella projects (paraplyprojekt) that hold a småstöd pot and run calls."""
