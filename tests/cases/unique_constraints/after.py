import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Account(Base):
    __tablename__ = "account"
    __table_args__ = (
        sa.UniqueConstraint("email"),
        sa.UniqueConstraint("tenant", "handle", name="uq_account_handle", deferrable=True),
        sa.UniqueConstraint("tenant", "nick"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str]
    tenant: Mapped[int]
    handle: Mapped[str]
    nick: Mapped[str]
