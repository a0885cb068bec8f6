"""`python -m kzgraph` runs the command line."""

from kzgraph.cli import run

run()
