"""Applications of both kinds (Leader projects and småstöd): one aggregate, one workflow."""
