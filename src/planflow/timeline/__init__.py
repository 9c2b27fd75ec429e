"""timeline layer."""
