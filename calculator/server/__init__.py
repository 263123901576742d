"""The server process: daphne's own command line with the bounds it lacks (request deadline, body
limit, open-file limit). `bin/serve` runs it as `python -m calculator.server`."""
