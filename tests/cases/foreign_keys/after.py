import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Author(Base):
    __tablename__ = "author"
    id: Mapped[int] = mapped_column(primary_key=True)


class Book(Base):
    __tablename__ = "book"
    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("author.id", ondelete="CASCADE"))
    editor_id: Mapped[int] = mapped_column(sa.ForeignKey("author.id", name="fk_book_editor"))
    reviewer_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey(
            "author.id",
            name="fk_book_reviewer",
            ondelete="SET NULL",
            deferrable=True,
            initially="DEFERRED",
        )
    )
