"""Search backends behind the ``SearchIndex`` interface."""
