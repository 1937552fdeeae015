"""The command line, one module per command; `main` holds the click group.

The top of the dependency graph: may import anything; nothing imports it.
"""
