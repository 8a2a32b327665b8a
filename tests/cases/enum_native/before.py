import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Order(Base):
    __tablename__ = "order"
    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(sa.Enum("new", "paid", "sent", name="order_status"))
    legacy: Mapped[str] = mapped_column(sa.Enum("a", "b", name="legacy_kind"))
