"""Personal data anywhere in the site folder (issue 11). Stub: filled in by its owner."""
