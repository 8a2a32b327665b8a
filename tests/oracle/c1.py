"""The oracle scenario's models.py at c1, from no models at all: five new tables, a named enum,
a foreign key, an index on a column, server defaults. The patches c2.patch .. c6.patch change
it one commit at a time, each saying what its step changes."""

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(50), nullable=False),
    sa.Column("email", sa.String(100)),
    sa.Column("status", sa.String(20), nullable=False, server_default="active"),
    sa.Column("mood", sa.Enum("happy", "sad", name="mood")),
)

client = sa.Table(
    "client",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("mail", sa.String(100)),
)

setting = sa.Table(
    "setting",
    metadata,
    sa.Column("scope", sa.String(20), nullable=False),
    sa.Column("key", sa.String(50), primary_key=True),
    sa.Column("value", sa.Text),
)

post = sa.Table(
    "post",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("editor_id", sa.Integer),
    sa.Column("title", sa.String(50), nullable=False, index=True),
    sa.Column("body", sa.Text),
    sa.Column("views", sa.Integer, nullable=False, server_default="0"),
    sa.Column("rank", sa.Integer, nullable=False),
)

old_stuff = sa.Table(
    "old_stuff",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("note", sa.String(30)),
)
