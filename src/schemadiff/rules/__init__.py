"""The rules of `schemadiff check`: pure functions over a diff."""
