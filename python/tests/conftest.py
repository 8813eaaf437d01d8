import os
import warnings
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _worker_binary():
    """Worker processes run the ftpart executable: the wheel's own (ftpart/bin/ftpart), else
    $FTPART_BIN, else one built in this repository's target directory."""
    import ftpart

    if (Path(ftpart.__file__).parent / "bin" / "ftpart").is_file() or os.environ.get("FTPART_BIN"):
        return
    targets = [os.environ.get("CARGO_TARGET_DIR"), str(REPO / "target")]
    for t in filter(None, targets):
        p = Path(t) / "release" / "ftpart"
        if p.is_file():
            os.environ["FTPART_BIN"] = str(p)
            return


_worker_binary()


@pytest.fixture(scope="session")
def es():
    import featuretools as ft

    return ft.demo.load_mock_customer(return_entityset=True, random_seed=0)


@pytest.fixture(scope="session")
def features(es):
    import featuretools as ft

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ft.dfs(entityset=es, target_dataframe_name="customers", features_only=True)
