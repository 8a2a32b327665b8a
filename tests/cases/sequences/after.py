import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


invoice_number = sa.Sequence("invoice_number", start=5000, increment=10, metadata=Base.metadata)
ticket = sa.Sequence("ticket_seq", schema="ops", cycle=True, metadata=Base.metadata)


class Invoice(Base):
    __tablename__ = "invoice"
    id: Mapped[int] = mapped_column(primary_key=True)
