import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Event(Base):
    __tablename__ = "event"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[str] = mapped_column(sa.DateTime, server_default=sa.func.current_timestamp())
    flag: Mapped[bool] = mapped_column(server_default=sa.true())
    label: Mapped[str]
    same: Mapped[int] = mapped_column(server_default=sa.text("1"))
