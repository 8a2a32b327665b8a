"""Oracle scenario c3: rename column customer.mail -> email; types String(50) -> String(200)
and Integer -> BigInteger; users.email becomes NOT NULL; the server default of users.status
changes; enum mood gains 'meh' (in the middle), 'content' and 'so-so: 50%' (at the end,
with a colon and a percent sign for op.execute) and a server default 'content'; a unique constraint
on users.email; the table comment and the column comment change."""

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
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("email", sa.String(100), nullable=False, comment="Where we write to them"),
    sa.Column("status", sa.String(20), nullable=False, server_default="pending"),
    sa.Column(
        "mood",
        sa.Enum("happy", "meh", "sad", "content", "so-so: 50%", name="mood"),
        server_default="content",
    ),
    sa.UniqueConstraint("email"),
    comment="People who can sign in",
)

customer = sa.Table(
    "customer",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("email", sa.String(100), info={"renamed_from": "mail"}),
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
    sa.Column("views", sa.BigInteger, nullable=False, server_default="0"),
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
