"""The HTTP adapter: the page, the no-JS form posts, the help page and the health check."""
