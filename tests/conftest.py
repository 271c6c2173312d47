"""Shared fixtures: small networks and one-thread torch so the suite is quick and repeatable."""

import pytest
import torch


@pytest.fixture(autouse=True, scope="session")
def _one_thread():
    torch.set_num_threads(1)
