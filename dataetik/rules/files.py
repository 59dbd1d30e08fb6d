"""Files and sizes an author can get wrong (issue 11). Stub: filled in by its owner."""
