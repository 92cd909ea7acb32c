"""Handle resolution: handle -> local directory. Knows nothing of model formats."""
