"""``ftpart.dfs``: featuretools' Deep Feature Synthesis for the definitions, ftpart for the matrix."""

from __future__ import annotations

from typing import Optional


def dfs(
    dataframes=None,
    relationships=None,
    entityset=None,
    target_dataframe_name=None,
    cutoff_time=None,
    instance_ids=None,
    agg_primitives=None,
    trans_primitives=None,
    groupby_trans_primitives=None,
    allowed_paths=None,
    max_depth=2,
    ignore_dataframes=None,
    ignore_columns=None,
    primitive_options=None,
    seed_features=None,
    drop_contains=None,
    drop_exact=None,
    where_primitives=None,
    max_features=-1,
    cutoff_time_in_index=False,
    save_progress=None,
    features_only=False,
    training_window=None,
    approximate=None,
    chunk_size=None,
    n_jobs=1,
    dask_kwargs=None,
    verbose=False,
    return_types=None,
    progress_callback=None,
    include_cutoff_time=True,
    *,
    fallback: Optional[str] = None,
    parts: Optional[int] = None,
):
    """featuretools' ``dfs`` (1.31): same arguments, same ``(feature_matrix, features)`` (or the
    features alone with ``features_only=True``). featuretools builds the feature definitions;
    :func:`ftpart.calculate_feature_matrix` computes the matrix (``fallback`` and ``parts`` as
    there)."""
    from featuretools.entityset.entityset import EntitySet

    from . import _patch
    from ._calculate import calculate_feature_matrix

    if not isinstance(entityset, EntitySet):
        entityset = EntitySet("dfs", dataframes, relationships)
    features = _patch.original("dfs")(
        entityset=entityset,
        target_dataframe_name=target_dataframe_name,
        agg_primitives=agg_primitives,
        trans_primitives=trans_primitives,
        groupby_trans_primitives=groupby_trans_primitives,
        allowed_paths=allowed_paths,
        max_depth=max_depth,
        ignore_dataframes=ignore_dataframes,
        ignore_columns=ignore_columns,
        primitive_options=primitive_options,
        seed_features=seed_features,
        drop_contains=drop_contains,
        drop_exact=drop_exact,
        where_primitives=where_primitives,
        max_features=max_features,
        features_only=True,
        verbose=verbose,
        return_types=return_types,
    )
    if features_only:
        return features
    assert (
        features != []
    ), "No features can be generated from the specified primitives. Please make sure the primitives you are using are compatible with the variable types in your data."
    feature_matrix = calculate_feature_matrix(
        features,
        entityset=entityset,
        cutoff_time=cutoff_time,
        instance_ids=instance_ids,
        training_window=training_window,
        approximate=approximate,
        cutoff_time_in_index=cutoff_time_in_index,
        save_progress=save_progress,
        chunk_size=chunk_size,
        n_jobs=n_jobs,
        dask_kwargs=dask_kwargs,
        verbose=verbose,
        progress_callback=progress_callback,
        include_cutoff_time=include_cutoff_time,
        fallback=fallback,
        parts=parts,
    )
    return feature_matrix, features
