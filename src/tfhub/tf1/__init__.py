"""The TF1 Hub format: ModuleSpec, module creation, hub.Module, export."""
