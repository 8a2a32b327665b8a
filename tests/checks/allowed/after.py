import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


ALLOW_DESTRUCTIVE = {"schemadiff": {"allow": ["destructive"]}}


class Legacy(Base):
    __tablename__ = "legacy"
    __table_args__ = {"info": ALLOW_DESTRUCTIVE}
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(50))


class Product(Base):
    __tablename__ = "product"
    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(sa.String(20), info=ALLOW_DESTRUCTIVE)
