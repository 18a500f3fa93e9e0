"""What each stage leaves in the session folder, typed: loaded and saved only through these
models, so a stage reads another stage's output without importing its workflow."""
