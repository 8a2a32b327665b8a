import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Line(Base):
    __tablename__ = "line"
    id: Mapped[int] = mapped_column(sa.Identity(start=1000, increment=5), primary_key=True)
    qty: Mapped[int]
    price: Mapped[int]
    total: Mapped[int] = mapped_column(sa.Computed("qty * price + 1", persisted=True))
    serial: Mapped[int]
