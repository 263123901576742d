"""`python -m calculator.server`: daphne's command line, bounded (see calculator/server/run.py)."""

from calculator.server.run import main

main()
