"""schemadiff: the database schema declared by SQLAlchemy models, diffed between git refs."""

__version__ = "0.1.0"
