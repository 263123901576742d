"""Personal access tokens: how a script acts for a person over the HTTP API, without a browser."""
