"""URLs of the partner pages, one module (and URL namespace) per area."""
