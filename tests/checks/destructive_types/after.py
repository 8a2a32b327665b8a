import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Item(Base):
    __tablename__ = "item"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(50))
    quantity: Mapped[int] = mapped_column(sa.Integer)
    label: Mapped[str] = mapped_column(sa.String(100))
    status: Mapped[str] = mapped_column(sa.Enum("new", "paid", name="item_status"))
    size: Mapped[str] = mapped_column(sa.Enum("s", "m", name="item_size", native_enum=False))
