import sys
from pathlib import Path

import numpy as np
import pytest
import torch

torch.set_num_threads(1)
# The pages' modules (views, frame, compute, …) import as the app imports them: from pages/.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "pages"))


@pytest.fixture
def classic_xy():
    return np.array([1.0, 2.0, 3.0]), np.array([2.0, 4.0, 6.0])


@pytest.fixture
def random_xy():
    rng = np.random.default_rng(42)
    x = rng.normal(0.5, 1.0, 257)
    y = 1.7 * x - 0.3 + rng.normal(0, 0.5, 257)
    return x, y
