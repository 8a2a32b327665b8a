import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Account(Base):
    __tablename__ = "account"
    __table_args__ = (
        sa.UniqueConstraint("handle", name="uq_account_handle"),
        sa.CheckConstraint("balance >= 0", name="ck_account_balance"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(200))
    handle: Mapped[str] = mapped_column(sa.String(40))
    login: Mapped[str] = mapped_column(sa.String(40), unique=True, index=True)
    balance: Mapped[int] = mapped_column(sa.Integer)
    region: Mapped[str] = mapped_column(sa.String(20))
    plan: Mapped[str] = mapped_column(sa.String(20), server_default="free")


class Payment(Base):
    __tablename__ = "payment"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("account.id"))
    refund_of: Mapped[int | None] = mapped_column(sa.ForeignKey("payment.id"))


class Invoice(Base):
    __tablename__ = "invoice"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(20), unique=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("account.id"))
    total: Mapped[int] = mapped_column(sa.Integer)
