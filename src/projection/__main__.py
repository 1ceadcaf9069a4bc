"""``python -m projection`` runs the command-line interface."""

from .cli import main

main()
