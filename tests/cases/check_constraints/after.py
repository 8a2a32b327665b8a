import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Item(Base):
    __tablename__ = "item"
    __table_args__ = (
        sa.CheckConstraint("price > 0", name="ck_item_price"),
        sa.CheckConstraint("qty > 0"),
        sa.CheckConstraint("qty < 1000", name="ck_item_qty_max"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    price: Mapped[int]
    qty: Mapped[int]
