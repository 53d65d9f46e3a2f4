from pathlib import Path

import pytest

from .bombs import SHEET, bomb


@pytest.fixture(scope="module")
def bomb_file(tmp_path_factory) -> Path:
    return bomb(tmp_path_factory.mktemp("bomb") / "花名册.xlsx")


@pytest.fixture(scope="module")
def lying_file(tmp_path_factory) -> Path:
    """The same bomb, its sheet declared as 10 MB (so the directory alone looks fine: 10 MB at 9:1)."""
    return bomb(tmp_path_factory.mktemp("lying") / "花名册.xlsx", declare_size={SHEET: 10 * 1024 * 1024})
