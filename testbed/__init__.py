"""The offline world the release workflows run in: registry, local GitHub, act runner."""
