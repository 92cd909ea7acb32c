"""Loading models with TF2 APIs (hub.load)."""
