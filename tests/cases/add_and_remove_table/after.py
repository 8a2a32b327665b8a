import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Keep(Base):
    __tablename__ = "keep"
    id: Mapped[int] = mapped_column(primary_key=True)


class New(Base):
    __tablename__ = "new"
    __table_args__ = {"schema": "billing", "comment": "fresh"}
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(8), server_default="x", comment="the code")
