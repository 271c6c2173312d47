"""Gymnasium environments of the suite, registered under the ``DeepThink/`` namespace.

Importing this package registers every environment id. None has landed yet: they follow each puzzle
family's issue.
"""
