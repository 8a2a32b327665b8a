import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Doc(Base):
    __tablename__ = "doc"
    __table_args__ = (
        sa.Index("ix_doc_title", "title"),
        sa.Index("ix_doc_pair", "owner", "title"),
        sa.Index("ix_doc_lower_title", sa.func.lower(sa.text("title"))),
        sa.Index(
            "ix_doc_live", "owner", postgresql_where=sa.text("body <> ''"), postgresql_using="btree"
        ),
        sa.Index("ix_doc_body", "body", unique=True),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str]
    body: Mapped[str]
    owner: Mapped[int]
