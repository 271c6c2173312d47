"""The shipped checkpoints (safetensors weights + JSON model card each), installed with the package.

Load them by name through ``agents.load_solver`` / ``agents.load_policy``; ``agents.checkpoint.SHIPPED_DIR`` finds
this folder with importlib.resources, so a wheel works from any directory.
"""
