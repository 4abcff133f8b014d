"""Forms of the partner pages, one module per area."""
