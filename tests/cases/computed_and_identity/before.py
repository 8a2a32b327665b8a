import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Line(Base):
    __tablename__ = "line"
    id: Mapped[int] = mapped_column(sa.Identity(start=1), primary_key=True)
    qty: Mapped[int]
    price: Mapped[int]
    total: Mapped[int] = mapped_column(sa.Computed("qty * price"))
    serial: Mapped[int] = mapped_column(sa.Identity(always=True, start=100))
