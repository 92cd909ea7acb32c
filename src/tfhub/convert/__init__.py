"""Conversion of TF1 Hub format modules to reusable TF2 SavedModels."""
