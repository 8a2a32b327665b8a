import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Doc(Base):
    __tablename__ = "doc"
    __table_args__ = (
        sa.Index("ix_doc_title", "title"),
        sa.Index("ix_doc_old", "body"),
        sa.Index("ix_doc_pair", "title", "owner"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str]
    body: Mapped[str]
    owner: Mapped[int]
