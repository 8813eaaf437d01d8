"""Test helpers: the featuretools-suite pytest plugin (ftpart.testing.featuretools_suite)."""
