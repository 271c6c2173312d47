"""Training (progressive loss, data-parallel), recipes and evaluation sweeps."""
