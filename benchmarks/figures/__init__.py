"""One module per figure of the performance contract.

Each module has ``run(ctx) -> list of figures`` (see ``benchmarks.harness.figure``).
"""
