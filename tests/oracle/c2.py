"""Oracle scenario c2: rename table client -> customer; add table line_item with a computed
column; add column post.slug with a unique index; add a CHECK constraint; add a table comment
and a column comment; add a sequence."""

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

invoice_number = sa.Sequence("invoice_number_seq", start=1000, metadata=metadata)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(50), nullable=False),
    sa.Column("email", sa.String(100), comment="Where we write"),
    sa.Column("status", sa.String(20), nullable=False, server_default="active"),
    sa.Column("mood", sa.Enum("happy", "sad", name="mood")),
    comment="People who sign in",
)

customer = sa.Table(
    "customer",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("mail", sa.String(100)),
    info={"renamed_from": "client"},
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
    sa.Column("slug", sa.String(100), index=True, unique=True),
    sa.CheckConstraint("views >= 0", name="views_nonneg"),
)

old_stuff = sa.Table(
    "old_stuff",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("note", sa.String(30)),
)

line_item = sa.Table(
    "line_item",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("qty", sa.Integer, nullable=False),
    sa.Column("price", sa.Integer, nullable=False),
    sa.Column("total", sa.Integer, sa.Computed("qty * price", persisted=True)),
)
