"""A model host speaking the TF Hub protocol."""
