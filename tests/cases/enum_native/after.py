import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Order(Base):
    __tablename__ = "order"
    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(
        sa.Enum("new", "paid", "shipped", "refunded", name="order_status")
    )
    priority: Mapped[str] = mapped_column(sa.Enum("low", "high", name="priority", schema="ops"))
