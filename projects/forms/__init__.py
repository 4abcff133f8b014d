"""Forms of the project pages, one module per area."""
