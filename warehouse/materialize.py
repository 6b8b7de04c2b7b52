"""Placeholder until the derived tables land: materializes nothing."""


def materialize(con) -> list[str]:
    return []
