"""frontwatch pipelines: signal logic (pure Python) and the Beam stream job that runs it."""
