import warnings

import pytest


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
