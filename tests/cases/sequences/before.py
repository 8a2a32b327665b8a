import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


invoice_number = sa.Sequence("invoice_number", start=1000, metadata=Base.metadata)
legacy = sa.Sequence("legacy_counter", metadata=Base.metadata)


class Invoice(Base):
    __tablename__ = "invoice"
    id: Mapped[int] = mapped_column(primary_key=True)
