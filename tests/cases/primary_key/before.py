import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Membership(Base):
    __tablename__ = "membership"
    user_id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int]
