"""The command line, one module per command (`clean`, `fetch`, `run`, `audit`); `main` holds the
click group and every option, and imports a command's module only when it runs, so `run`,
`fetch` and `audit` never load the extraction stack in the main process. `report` holds what
the commands print: the one progress reporter and the JSON views of an outcome.

The top of the dependency graph: may import anything; nothing imports it.
"""
