"""``python -m analytics`` runs the callrep command line."""

from analytics.cli import main

main()
