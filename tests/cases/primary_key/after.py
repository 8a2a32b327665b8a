import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Membership(Base):
    __tablename__ = "membership"
    __table_args__ = (sa.PrimaryKeyConstraint("user_id", "group_id", name="pk_membership"),)
    user_id: Mapped[int]
    group_id: Mapped[int]
