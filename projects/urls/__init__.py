"""URLs of the project pages, one module (and URL namespace) per area."""
